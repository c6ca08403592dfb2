// The admin page: who may see it (signed in, `admin` group, admin API key), then its sections.
// The group check here only decides what to show; the API enforces it on every call.
import { api, isSignedIn } from "./api.js";
import { say } from "./ui.js";
import { ACCESS_EVENT, adminKey, rememberAdminKey } from "./admin-common.js";
import { currentUser } from "./session.js";
import { initProducts } from "./admin-products.js";
import { initOrders } from "./admin-orders.js";

const $ = (id) => document.getElementById(id);
const status = $("status");

function closeAdmin(message, { signIn = false } = {}) {
  $("admin").hidden = true;
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  $("signin").hidden = !signIn;
  say(status, message, "error");
}

function askForKey(message = "") {
  $("admin").hidden = true;
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  $("key-form").hidden = false;
  say(status, "Enter the admin API key to continue.");
  say($("key-status"), message, message ? "error" : "");
  $("api-key").focus();
}

function onAccessLost(event) {
  if (event.detail === "key") {
    rememberAdminKey(null);
    askForKey("That key was not accepted. Check it and enter it again.");
  } else if (event.detail === "not-admin") {
    closeAdmin("This page is for administrators. Your account is not in the admin group.");
  } else {
    closeAdmin("Your sign-in has expired. Sign in again to continue.", { signIn: true });
  }
}

async function start() {
  $("key-form").hidden = true;
  $("admin").hidden = false;
  say(status, "");
  let categories = [];
  try {
    categories = (await api("/categories")).categories || [];
  } catch (error) {
    say(status, `Categories could not be loaded: ${error.message}`, "error");
  }
  await Promise.all([initProducts(categories), initOrders()]);
}

function main() {
  if (!isSignedIn()) {
    say(status, "Sign in with an administrator account to manage the shop.");
    $("signin").hidden = false;
    return;
  }
  if (!currentUser()?.isAdmin) {
    closeAdmin("This page is for administrators. Your account is not in the admin group.");
    return;
  }
  window.addEventListener(ACCESS_EVENT, onAccessLost);
  $("forget-key").addEventListener("click", () => {
    rememberAdminKey(null);
    askForKey();
  });
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("api-key").value.trim();
    if (!key) return;
    rememberAdminKey(key);
    // A fresh load wires the sections once, with the new key.
    location.reload();
  });
  if (adminKey()) start();
  else askForKey();
}

main();
