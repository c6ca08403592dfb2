// Email preferences (GET/PUT /me/preferences), the one-click unsubscribe of marketing emails
// (preferences.html?unsubscribe=<token>, the link shop.email_rendering puts in every marketing email),
// export of the shopper's data (GET /me/export) and deletion of the account (DELETE /me).
import { api, forgetSession, isSignedIn } from "./api.js";
import { el, say } from "./ui.js";

const $ = (id) => document.getElementById(id);
const status = $("status");
const CONFIRM_WORD = "DELETE";
const UNSUBSCRIBED = "unsubscribed";

// What each flag of the API governs. A flag the API adds later still gets a toggle, named after it.
const LABELS = {
  marketing_emails: ["Offers and promotions", "Discount codes and sales."],
  abandoned_cart_emails: ["Cart reminders", "A reminder when you leave items in your cart."],
  price_drop_alerts: ["Price drops", "When a product on your watch list gets cheaper, or reaches the price you set."],
  back_in_stock_alerts: ["Back in stock", "When a sold-out product on your watch list is available again."],
  product_recommendations: ["Recommendations", "Products picked for you from what you viewed and bought."],
  newsletter: ["Newsletter", "News from the shop, now and then."],
  [UNSUBSCRIBED]: ["No marketing email at all", "Overrides every choice above; order emails still arrive."],
};

function labelOf(name) {
  const words = name.replace(/_/g, " ");
  return LABELS[name] || [words.charAt(0).toUpperCase() + words.slice(1), ""];
}

/** The preference flags of an API answer: every boolean field, "unsubscribed" last. */
function flagsOf(preferences) {
  const names = Object.keys(preferences).filter((name) => typeof preferences[name] === "boolean");
  return [...names.filter((name) => name !== UNSUBSCRIBED), ...names.filter((name) => name === UNSUBSCRIBED)];
}

function toggles() {
  return [...$("toggles").querySelectorAll("input[type=checkbox]")];
}

function toggle(name, checked) {
  const [label, description] = labelOf(name);
  const id = `pref-${name}`;
  const input = el("input", { type: "checkbox", id, name, checked, "aria-describedby": description ? `${id}-help` : undefined });
  // Mirror the API's rule, so the page never shows a combination the save would undo:
  // "unsubscribed" clears every flag, and switching a flag on re-subscribes.
  input.addEventListener("change", () => {
    if (!input.checked) return;
    for (const other of toggles()) {
      if (other === input) continue;
      if (name === UNSUBSCRIBED || other.name === UNSUBSCRIBED) other.checked = false;
    }
  });
  return el("li", { class: name === UNSUBSCRIBED ? "pref-toggle pref-all" : "pref-toggle" }, [
    input,
    el("label", { for: id }, [el("span", { class: "pref-label", text: label })]),
    description ? el("p", { id: `${id}-help`, class: "pref-help muted", text: description }) : null,
  ]);
}

function showPreferences(preferences) {
  $("toggles").replaceChildren(...flagsOf(preferences).map((name) => toggle(name, preferences[name])));
  $("email-address").textContent = preferences.email ? `Marketing emails go to ${preferences.email}.` : "";
}

/** Turns a failed call into words; a refused token means the sign-in expired. */
function problem(error) {
  if (error.status === 401) return "Your sign-in has expired. Sign in again to continue.";
  return error.message || "Something went wrong.";
}

function showSignedOut(message) {
  $("account").hidden = true;
  $("signed-out").hidden = false;
  say(status, message, message ? "error" : "");
}

async function savePreferences(event) {
  event.preventDefault();
  const button = $("save");
  const changes = Object.fromEntries(toggles().map((input) => [input.name, input.checked]));
  button.disabled = true;
  say($("save-status"), "Saving…");
  try {
    showPreferences(await api("/me/preferences", { method: "PUT", body: changes }));
    say($("save-status"), "Saved", "ok");
  } catch (error) {
    say($("save-status"), `Your preferences were not saved: ${problem(error)}`, "error");
  } finally {
    button.disabled = false;
  }
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

async function exportData() {
  const button = $("export");
  button.disabled = true;
  say($("export-status"), "Preparing your data…");
  try {
    const documentBody = await api("/me/export");
    const blob = new Blob([JSON.stringify(documentBody, null, 2)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: `shop-data-${today()}.json`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    // Revoked on the next turn: the click has handed the blob to the download by then.
    setTimeout(() => URL.revokeObjectURL(url), 0);
    say($("export-status"), "Your data was downloaded.", "ok");
  } catch (error) {
    say($("export-status"), `Your data could not be exported: ${problem(error)}`, "error");
  } finally {
    button.disabled = false;
  }
}

function askToDelete(event) {
  event.preventDefault();
  const typed = $("confirm-word").value.trim();
  if (typed !== CONFIRM_WORD) {
    $("confirm-word").setAttribute("aria-invalid", "true");
    say($("delete-status"), `Type ${CONFIRM_WORD} in capitals to confirm. Nothing was deleted.`, "error");
    return;
  }
  $("confirm-word").removeAttribute("aria-invalid");
  say($("delete-status"), "");
  $("confirm-delete").showModal();
}

async function deleteAccount() {
  const yes = $("confirm-yes");
  yes.disabled = true;
  say($("delete-status"), "Deleting your account…");
  try {
    await api("/me", { method: "DELETE" });
  } catch (error) {
    $("confirm-delete").close();
    say($("delete-status"), `Your account was not deleted: ${problem(error)}`, "error");
    return;
  } finally {
    yes.disabled = false;
  }
  $("confirm-delete").close();
  forgetSession();
  $("account").hidden = true;
  $("unsubscribe-result").hidden = true;
  say(status, "");
  $("goodbye").hidden = false;
  $("goodbye-title").focus();
}

async function unsubscribe(token) {
  // The token is as good as a password for this one action: keep it out of the history and bookmarks.
  history.replaceState(null, "", location.pathname);
  $("unsubscribe-result").hidden = false;
  try {
    const answer = await api("/unsubscribe", { query: { token } });
    $("unsubscribe-title").textContent = "You are unsubscribed";
    say($("unsubscribe-text"), answer.message || "You will receive no more marketing email from the shop.", "ok");
    return true;
  } catch (error) {
    $("unsubscribe-title").textContent = "This unsubscribe link did not work";
    const reason = error.status === 404 ? "the shop does not know this link" : problem(error);
    say($("unsubscribe-text"), `You were not unsubscribed: ${reason}.`, "error");
    return false;
  }
}

async function loadAccount() {
  try {
    showPreferences(await api("/me/preferences"));
  } catch (error) {
    if (error.status === 401) showSignedOut(problem(error));
    else say(status, `Your preferences could not be loaded: ${problem(error)}`, "error");
    return;
  }
  say(status, "");
  $("account").hidden = false;
}

async function load() {
  $("preferences-form").addEventListener("submit", savePreferences);
  $("export").addEventListener("click", exportData);
  $("delete-form").addEventListener("submit", askToDelete);
  $("confirm-yes").addEventListener("click", deleteAccount);
  $("confirm-no").addEventListener("click", () => {
    $("confirm-delete").close();
    say($("delete-status"), "Nothing was deleted.");
  });
  const token = new URLSearchParams(location.search).get("unsubscribe");
  const unsubscribed = token !== null && (await unsubscribe(token));
  if (isSignedIn()) {
    await loadAccount();
    return;
  }
  say(status, "");
  // Someone who just unsubscribed from an email needs no sign-in prompt on top of the answer.
  if (!unsubscribed) showSignedOut("");
}

load();
