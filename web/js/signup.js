// signup.html: sign up (email, name, password) → confirm with the emailed code (or ask for a new one)
// → signed in straight away when this page still holds the password, else on to the sign-in page.
// A checked marketing opt-in is saved as consent at the first sign-in (session.js).
import { api } from "./api.js";
import { confirmSignUp, resendConfirmationCode, signUp } from "./cognito.js";
import { formsReady, showLocalHints, showStep, valueOf, whileBusy } from "./forms.js";
import {
  finishSignIn,
  nextPage,
  rememberEmail,
  rememberedEmail,
  rememberMarketingOptIn,
  signIn,
} from "./session.js";
import { say } from "./ui.js";

const $ = (id) => document.getElementById(id);
const next = nextPage();
// The sign-up of this page (the password in memory only, never stored), to sign in after confirming.
let pending = null;

const withNext = (page, extra = "") => {
  const query = [extra, next === "index.html" ? "" : `next=${encodeURIComponent(next)}`].filter(Boolean).join("&");
  return query ? `${page}?${query}` : page;
};

function askForCode(email, sentWords) {
  $("confirm-email").value = email;
  $("confirm-code").value = "";
  $("confirm-sent").textContent = sentWords;
  say($("confirm-status"), "");
  say($("resend-status"), "");
  showStep("step-confirm");
}

/** Signed in with the sign-up's password: the profile gets the name given at sign-up, then `next`. */
async function signInAfterConfirming(email) {
  const answer = await signIn(email, pending.password);
  if (!answer.AuthenticationResult) return false;
  try {
    await api("/me", { method: "PUT", body: { name: pending.name } });
  } catch {
    // The account page asks for the name again; the sign-in itself worked.
  }
  pending = null;
  say($("confirm-status"), "Your email is confirmed and you are signed in. One moment…", "ok");
  await finishSignIn(next);
  return true;
}

/** A password against the rules: the sentence says which rules it misses; the field is marked. */
function showPasswordProblem(error) {
  if (error.type !== "InvalidPasswordException") return false;
  say($("signup-status"), error.message, "error");
  $("signup-password").setAttribute("aria-invalid", "true");
  $("signup-password").focus();
  return true;
}

/** Cognito's refusals of the address go next to the email field, as the checkout's do. */
function showEmailProblem(error) {
  const detail = error.detail || "";
  const aboutEmail =
    ["UsernameExistsException", "AliasExistsException"].includes(error.type) ||
    (error.type === "InvalidParameterException" && /username should be|email/i.test(detail) && !/password/i.test(detail));
  if (!aboutEmail) return false;
  say($("error-signup-email"), error.message, "error");
  $("signup-email").setAttribute("aria-invalid", "true");
  $("signup-email").focus();
  return true;
}

$("signup-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = valueOf("signup-email");
  const name = valueOf("signup-name");
  const password = $("signup-password").value;
  say($("error-signup-email"), "");
  $("signup-email").removeAttribute("aria-invalid");
  $("signup-password").removeAttribute("aria-invalid");
  const answer = await whileBusy(event.target, $("signup-status"), () => signUp({ email, password, name }), {
    onError: (error) => showPasswordProblem(error) || showEmailProblem(error),
  });
  if (!answer) return;
  pending = { email: email.toLowerCase(), password, name };
  $("signup-password").value = "";
  rememberMarketingOptIn($("signup-marketing").checked ? pending.email : "");
  if (answer.UserConfirmed) {
    await whileBusy(event.target, $("signup-status"), () => signInAfterConfirming(pending.email));
    return;
  }
  askForCode(email, `We have emailed a code to ${email}. Enter it below to confirm your email.`);
});

$("confirm-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = valueOf("confirm-email");
  const confirmed = await whileBusy(event.target, $("confirm-status"), async () => {
    await confirmSignUp(email, valueOf("confirm-code"));
    return true;
  });
  if (!confirmed) return;
  if (pending && pending.email === email.toLowerCase()) {
    const signedIn = await whileBusy(event.target, $("confirm-status"), () => signInAfterConfirming(email));
    if (signedIn) return;
  }
  rememberEmail(email);
  location.assign(withNext("signin.html", "confirmed=1"));
});

$("resend-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = valueOf("confirm-email");
  if (!email) {
    say($("resend-status"), "Enter your email above first.", "error");
    $("confirm-email").focus();
    return;
  }
  const sent = await whileBusy(event.target, $("resend-status"), () => resendConfirmationCode(email));
  if (sent) say($("resend-status"), `We have emailed a new code to ${email}.`, "ok");
});

// -- on load -------------------------------------------------------------------------------------------
$("signin-link").href = withNext("signin.html");
if (new URLSearchParams(location.search).get("step") === "confirm") {
  const email = rememberedEmail();
  rememberEmail("");
  askForCode(email, "Your email is not confirmed yet. Enter the code we emailed you when you signed up, or ask for a new one.");
  if (email) $("confirm-code").focus();
}
formsReady();
showLocalHints();
