// What the account forms share: a form busy while its call runs (buttons disabled, the error's words
// next to it), steps of one page shown one at a time, and the local stage's "no email is sent" hints.
import { siteConfig } from "./config.js";
import { say } from "./ui.js";

/** Runs `work()` for `form`: its buttons disabled and the status cleared while it runs; a failure's
 * words (every CognitoError and ApiError carries them) shown in `status`. Resolves to work's result,
 * or to undefined after a failure (`onError(error)` may take over: return true to skip the words). */
export async function whileBusy(form, status, work, { onError } = {}) {
  const buttons = [...form.querySelectorAll("button")];
  for (const button of buttons) button.disabled = true;
  form.setAttribute("aria-busy", "true");
  say(status, "");
  try {
    return await work();
  } catch (error) {
    if (!(onError && onError(error))) say(status, error.message || "Something went wrong. Please try again.", "error");
    return undefined;
  } finally {
    for (const button of buttons) button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

/** Shows the section `id` among `.auth-card` sections and moves focus to its heading. */
export function showStep(id) {
  for (const section of document.querySelectorAll(".auth-card")) section.hidden = section.id !== id;
  const heading = document.querySelector(`#${id} h1`);
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

/** The local emulator sends no email and takes any code: say so, on the local stage only. */
export async function showLocalHints() {
  try {
    if ((await siteConfig()).stage !== "local") return;
  } catch {
    return;
  }
  for (const hint of document.querySelectorAll(".local-hint")) hint.hidden = false;
}

export const valueOf = (id) => document.getElementById(id).value.trim();

/** The page's submit handlers are attached: enable the buttons the HTML ships disabled, so a click
 * before the scripts ran cannot submit a form natively (a password in the URL, or a lost request). */
export function formsReady() {
  for (const button of document.querySelectorAll("button[data-until-ready]")) {
    button.disabled = false;
    button.removeAttribute("data-until-ready");
  }
}
