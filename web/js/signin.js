// signin.html: sign in (USER_PASSWORD_AUTH), the authenticator code of an account with two-step sign-in
// (SOFTWARE_TOKEN_MFA: every administrator), forgotten password → code → new password, and the new
// password an account with a temporary one must choose. After signing in: merge the guest cart, go to `next`.
import { callCognito, confirmForgotPassword, forgotPassword, setNewPassword } from "./cognito.js";
import { siteConfig } from "./config.js";
import { formsReady, showLocalHints, showStep, valueOf, whileBusy } from "./forms.js";
import { currentUser, finishSignIn, nextPage, rememberEmail, rememberedEmail, signIn, storeTokens } from "./session.js";
import { say } from "./ui.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const next = nextPage();
// A NEW_PASSWORD_REQUIRED or SOFTWARE_TOKEN_MFA challenge: Cognito's session for answering it, kept in
// this page only.
let challenge = null;

// Here, not in cognito.js: the admin pages load cognito.js and have a size budget.
const WRONG_CODE = "That code is not right. Enter the 6-digit code your authenticator app shows now.";
const answerCodeChallenge = async ({ session, username, code }) =>
  callCognito("RespondToAuthChallenge", {
    ClientId: (await siteConfig()).userPoolClientId,
    ChallengeName: "SOFTWARE_TOKEN_MFA",
    Session: session,
    ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
  });

function withNext(page) {
  return next === "index.html" ? page : `${page}?next=${encodeURIComponent(next)}`;
}

function backToSignIn(message = "") {
  showStep("step-signin");
  const email = valueOf("forgot-email") || valueOf("signin-email");
  $("signin-email").value = email;
  $("signin-password").value = "";
  say($("signin-status"), message, message ? "ok" : "");
  (email ? $("signin-password") : $("signin-email")).focus();
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = valueOf("signin-email");
  const password = $("signin-password").value;
  const answer = await whileBusy(event.target, $("signin-status"), () => signIn(email, password), {
    onError(error) {
      if (error.type === "UserNotConfirmedException") {
        rememberEmail(email);
        location.assign(`signup.html?step=confirm${next === "index.html" ? "" : `&next=${encodeURIComponent(next)}`}`);
        return true;
      }
      if (error.type === "PasswordResetRequiredException") {
        $("forgot-email").value = email;
        showStep("step-forgot");
        say($("forgot-status"), error.message, "error");
        return true;
      }
      $("signin-password").value = "";
      return false;
    },
  });
  if (!answer) {
    if (!$("step-signin").hidden) $("signin-password").focus();
    return;
  }
  if (answer.AuthenticationResult) {
    say($("signin-status"), "Signed in. One moment…", "ok");
    await finishSignIn(next);
  } else if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") {
    challenge = { email, session: answer.Session, username: (answer.ChallengeParameters || {}).USERNAME };
    showStep("step-new-password");
  } else if (answer.ChallengeName === "SOFTWARE_TOKEN_MFA") {
    const parameters = answer.ChallengeParameters || {};
    challenge = { session: answer.Session, username: parameters.USER_ID_FOR_SRP || email.trim().toLowerCase() };
    $("signin-code").value = "";
    say($("code-status"), "");
    showStep("step-code");
    $("signin-code").focus();
  } else {
    say(
      $("signin-status"),
      "This account asks for a sign-in step (such as a one-time code) that this site cannot offer yet. Please contact the shop.",
      "error",
    );
  }
});

$("new-password-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const answer = await whileBusy(event.target, $("new-password-status"), () =>
    setNewPassword({ ...challenge, newPassword: $("new-password").value }),
  );
  if (!answer) return;
  if (!answer.AuthenticationResult) {
    say($("new-password-status"), "The password was saved, but signing in needs another step. Please sign in again.", "error");
    return;
  }
  storeTokens(answer.AuthenticationResult);
  challenge = null;
  say($("new-password-status"), "Password saved. One moment…", "ok");
  await finishSignIn(next);
});

$("code-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const answer = await whileBusy(
    event.target,
    $("code-status"),
    () => answerCodeChallenge({ ...challenge, code: valueOf("signin-code") }),
    {
      onError(error) {
        $("signin-code").value = "";
        $("signin-code").focus();
        if (error.type === "CodeMismatchException") {
          say($("code-status"), WRONG_CODE, "error");
          return true;
        }
        if (error.type !== "NotAuthorizedException") return false;
        // Cognito's session for the code lasts a few minutes (and may end after wrong codes): start again.
        backToSignIn();
        say($("signin-status"), "This sign-in step has expired. Enter your password again.", "error");
        return true;
      },
    },
  );
  if (!answer) return;
  if (!answer.AuthenticationResult) {
    say($("code-status"), "Signing in needs another step this site cannot offer. Please contact the shop.", "error");
    return;
  }
  storeTokens(answer.AuthenticationResult);
  challenge = null;
  say($("code-status"), "Signed in. One moment…", "ok");
  await finishSignIn(next);
});

$("show-forgot").addEventListener("click", () => {
  $("forgot-email").value = valueOf("signin-email");
  say($("forgot-status"), "");
  showStep("step-forgot");
});

async function sendResetCode(form, status) {
  const email = valueOf("forgot-email");
  const sent = await whileBusy(form, status, () => forgotPassword(email));
  if (!sent) return false;
  // Cognito does not say whether the email has an account (that would let anyone probe for accounts).
  $("reset-sent").textContent = `If an account uses ${email}, we have emailed it a code.`;
  return true;
}

$("forgot-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!(await sendResetCode(event.target, $("forgot-status")))) return;
  $("reset-code").value = "";
  $("reset-password").value = "";
  say($("reset-status"), "");
  showStep("step-reset");
});

$("resend-reset").addEventListener("click", async () => {
  if (await sendResetCode($("step-reset"), $("reset-status"))) say($("reset-status"), "We sent a new code.", "ok");
});

$("reset-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const done = await whileBusy(event.target, $("reset-status"), () =>
    confirmForgotPassword({ email: valueOf("forgot-email"), code: valueOf("reset-code"), password: $("reset-password").value }),
  );
  if (done) backToSignIn("Your password has been changed. Sign in with your new password.");
});

for (const button of document.querySelectorAll(".back-to-signin")) button.addEventListener("click", () => backToSignIn());

// -- on load -------------------------------------------------------------------------------------------
$("signup-link").href = withNext("signup.html");
const user = currentUser();
if (user) {
  $("signed-in-note").textContent = `You are signed in as ${user.email}. Signing in again switches the account.`;
  $("signed-in-note").hidden = false;
}
const email = rememberedEmail();
if (email) {
  $("signin-email").value = email;
  rememberEmail("");
}
if (params.get("confirmed")) say($("signin-status"), "Your email is confirmed. Sign in to continue.", "ok");
formsReady();
showLocalHints();
