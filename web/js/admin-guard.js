// Who may see an admin page: signed in, in the `admin` group (which needs two-step sign-in), with the
// admin API key in this tab.
// The group check here only decides what to show; the API enforces it on every call. Each admin page
// has the same #status, #signin, #key-form (#api-key, #key-status) and #admin elements.
import { isSignedIn } from "./api.js";
import { el, say } from "./ui.js";
import { ACCESS_EVENT, adminKey, rememberAdminKey } from "./admin-common.js";
import { currentUser } from "./session.js";

const $ = (id) => document.getElementById(id);
const status = () => $("status");

function closeAdmin(message, { signIn = false } = {}) {
  $("admin").hidden = true;
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  $("signin").hidden = !signIn;
  say(status(), message, "error");
}

function askForKey(message = "") {
  $("admin").hidden = true;
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  $("key-form").hidden = false;
  say(status(), "Enter the admin API key to continue.");
  say($("key-status"), message, message ? "error" : "");
  $("api-key").focus();
}

// An admin without two-step sign-in gets tokens without `admin`: say what to do instead of 403s.
function askForTwoStepSignIn() {
  closeAdmin("Your account is an administrator, but the admin pages need two-step sign-in. Turn it on in your account.");
  const link = el("a", { class: "button", href: "account.html#two-step-title", id: "set-up-two-step" }, ["Set up two-step sign-in"]);
  status().after(el("p", {}, [link]));
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

/** Shows the page's #admin part and runs `start()` once the visitor is a signed-in administrator with
 * an admin API key; otherwise explains what is missing (sign-in link, key form, not an admin). */
export function guardAdminPage(start) {
  if (!isSignedIn()) {
    say(status(), "Sign in with an administrator account to manage the shop.");
    $("signin").hidden = false;
    return;
  }
  const user = currentUser();
  if (!user?.isAdmin) {
    if (user?.adminNeedsMfa) {
      askForTwoStepSignIn();
      return;
    }
    closeAdmin("This page is for administrators. Your account is not in the admin group.");
    return;
  }
  window.addEventListener(ACCESS_EVENT, onAccessLost);
  $("forget-key")?.addEventListener("click", () => {
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
  if (!adminKey()) {
    askForKey();
    return;
  }
  $("key-form").hidden = true;
  $("admin").hidden = false;
  say(status(), "");
  start();
}
