// Loads a provider's script (Stripe.js, PayPal's SDK) once, from the URL config.json names; the
// Content-Security-Policy allows exactly those origins (constructs_lib/site_policy.py).
const loading = new Map();

export function loadScript(url) {
  if (!loading.has(url)) {
    loading.set(
      url,
      new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = url;
        script.async = true;
        script.addEventListener("load", () => resolve());
        script.addEventListener("error", () => {
          loading.delete(url);
          reject(new Error(`${new URL(url, location.href).host} could not be reached`));
        });
        document.head.append(script);
      }),
    );
  }
  return loading.get(url);
}
