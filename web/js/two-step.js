// account.html's "Two-step sign-in": an authenticator app (TOTP) as the second step of signing in.
// Optional for shoppers, required for administrators: the user pool leaves `admin` out of the tokens of
// an account without it. Steps: AssociateSoftwareToken (a secret, shown as a key and an otpauth:// link)
// → VerifySoftwareToken (a code from the app proves it was set up) → SetUserMFAPreference (on, preferred).
import { isSignedIn } from "./api.js";
import { callCognito } from "./cognito.js";
import { formsReady, valueOf, whileBusy } from "./forms.js";
import { currentUser, freshAccessToken, freshIdToken } from "./session.js";
import { el, say } from "./ui.js";

const $ = (id) => document.getElementById(id);
const ISSUER = "Shop";
const TOTP = "SOFTWARE_TOKEN_MFA";
const WRONG_CODE = "That code is not right. Enter the 6-digit code your authenticator app shows now.";

// This page's calls, here rather than in cognito.js: the admin pages load cognito.js and have a size budget.
/** The signed-in user's Cognito record; `UserMFASettingList` names the enabled methods. */
const getUser = (accessToken) => callCognito("GetUser", { AccessToken: accessToken });

/** A new authenticator secret for the signed-in user (`SecretCode`, base32). */
const associateSoftwareToken = (accessToken) =>
  callCognito("AssociateSoftwareToken", { AccessToken: accessToken });

/** Proves the app was set up with the secret: a code it shows now. */
const verifySoftwareToken = ({ accessToken, code, deviceName }) =>
  callCognito("VerifySoftwareToken", {
    AccessToken: accessToken,
    UserCode: String(code).trim(),
    FriendlyDeviceName: deviceName || "Authenticator app",
  });

/** Turns the authenticator app on as the way to sign in (Cognito then asks for a code every time). */
const enableSoftwareTokenMfa = (accessToken) =>
  callCognito("SetUserMFAPreference", {
    AccessToken: accessToken,
    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
  });

/** The URI authenticator apps import (Key Uri Format): the account is the shopper's email. */
export function otpauthUri(secret, account) {
  const label = encodeURIComponent(`${ISSUER}:${account}`);
  const query = new URLSearchParams({ secret, issuer: ISSUER, digits: "6", period: "30" });
  return `otpauth://totp/${label}?${query}`;
}

function showOn() {
  say($("two-step-state"), "On: signing in asks for the code your authenticator app shows.", "ok");
  $("two-step-start").hidden = true;
  $("two-step-form").hidden = true;
  $("two-step-admin-note").hidden = true;
}

function showOff() {
  say($("two-step-state"), "Off: signing in needs only your password. Add an authenticator app for a second step.");
  $("two-step-start").hidden = false;
  $("two-step-admin-note").hidden = !currentUser()?.adminNeedsMfa;
}

async function load() {
  if (!isSignedIn()) return; // account.js sends the visitor to sign in
  try {
    const user = await getUser(await freshAccessToken());
    if ((user.UserMFASettingList || []).includes(TOTP)) showOn();
    else showOff();
  } catch (error) {
    say($("two-step-state"), `Two-step sign-in could not be checked: ${error.message}`, "error");
  }
}

$("two-step-start").addEventListener("click", async () => {
  const section = $("two-step-start").closest("section");
  const answer = await whileBusy(section, $("two-step-state"), async () =>
    associateSoftwareToken(await freshAccessToken()),
  );
  if (!answer || !answer.SecretCode) return;
  const secret = String(answer.SecretCode).toUpperCase();
  $("two-step-secret").textContent = secret.replace(/(.{4})(?=.)/g, "$1 ");
  const uri = otpauthUri(secret, currentUser()?.email || "");
  $("two-step-uri").href = uri;
  $("two-step-uri").textContent = uri;
  $("two-step-start").hidden = true;
  $("two-step-form").hidden = false;
  say($("two-step-status"), "");
  $("two-step-code").value = "";
  $("two-step-code").focus();
});

$("two-step-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const wasAdminWithoutMfa = Boolean(currentUser()?.adminNeedsMfa);
  const done = await whileBusy(
    event.target,
    $("two-step-status"),
    async () => {
      const accessToken = await freshAccessToken();
      const verified = await verifySoftwareToken({ accessToken, code: valueOf("two-step-code") });
      if (verified.Status && verified.Status !== "SUCCESS") throw new Error(WRONG_CODE);
      await enableSoftwareTokenMfa(accessToken);
      return true;
    },
    {
      onError(error) {
        if (error.type !== "CodeMismatchException" && error.type !== "EnableSoftwareTokenMFAException") return false;
        say($("two-step-status"), WRONG_CODE, "error");
        return true;
      },
    },
  );
  if (!done) {
    $("two-step-code").value = "";
    $("two-step-code").focus();
    return;
  }
  showOn();
  // New tokens now: an administrator's carry `admin` from here on, without signing in again.
  await freshIdToken({ force: true });
  if (wasAdminWithoutMfa && currentUser()?.isAdmin) {
    $("two-step-state").after(
      el("p", { id: "two-step-admin-ready" }, [
        "The admin pages are open to you now: ",
        el("a", { href: "admin-shop.html" }, ["go to the admin page"]),
        ".",
      ]),
    );
  }
});

formsReady();
load();
