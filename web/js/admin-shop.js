// The admin page: its sections, once admin-guard.js has let an administrator in.
import { api } from "./api.js";
import { say } from "./ui.js";
import { guardAdminPage } from "./admin-guard.js";
import { initProducts } from "./admin-products.js";
import { initOrders } from "./admin-orders.js";
import { initSales } from "./admin-sales.js";
import { initPromotions } from "./admin-promotions.js";

async function start() {
  let categories = [];
  try {
    categories = (await api("/categories")).categories || [];
  } catch (error) {
    say(document.getElementById("status"), `Categories could not be loaded: ${error.message}`, "error");
  }
  await Promise.all([initProducts(categories), initOrders(), initSales(), initPromotions()]);
}

guardAdminPage(start);
