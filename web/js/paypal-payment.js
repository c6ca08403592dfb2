// PayPal with PayPal's JS SDK buttons: `createOrder` asks the shop for a PayPal order of the stored order's
// total (/payment/paypal/create), `onApprove` asks the shop to capture it (/payment/paypal/capture); the
// shop verifies the capture with PayPal and PayPal's webhook confirms it. Cancel and errors are told in
// words by the caller's handlers.
import { loadScript } from "./script-loader.js";

function sdkUrl(config, currency) {
  const url = new URL(config.paypalSdkUrl, location.href);
  url.searchParams.set("client-id", config.paypalClientId);
  url.searchParams.set("currency", currency);
  url.searchParams.set("intent", "capture");
  url.searchParams.set("components", "buttons");
  return url.toString();
}

/** True when this shop offers PayPal (config.json has a client id). */
export function offersPayPal(config) {
  return Boolean(config.paypalClientId && config.paypalSdkUrl);
}

/**
 * Renders PayPal's buttons into `container`. `handlers`:
 * - `order()` resolves to the shop's order ({order_id, access_token?}) once the form is valid, or
 *   rejects with an Error whose words the page already shows;
 * - `create(order)` → the PayPal order id; `capture(order, paypalOrderId)` → after approval;
 * - `cancelled()`, `failed(error)`.
 */
export async function renderPayPalButtons(config, currency, container, handlers) {
  await loadScript(sdkUrl(config, currency));
  let order = null;
  const buttons = window.paypal.Buttons({
    style: { layout: "vertical", label: "pay" },
    createOrder: async () => {
      order = await handlers.order();
      return handlers.create(order);
    },
    onApprove: async (data) => handlers.capture(order, data.orderID),
    onCancel: () => handlers.cancelled(),
    onError: (error) => handlers.failed(error),
  });
  await buttons.render(container);
}
