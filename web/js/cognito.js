// A small client for Cognito's public user-pool API (no AWS credentials: the app client has no
// secret), and every Cognito error turned into words a shopper understands (docs/accounts.md).
import { siteConfig } from "./config.js";

export class CognitoError extends Error {
  /** `type` is Cognito's exception name (e.g. "UserNotConfirmedException"), "" when unreachable. */
  constructor(message, { type = "", detail = "", operation = "" } = {}) {
    super(message);
    this.name = "CognitoError";
    this.type = type;
    this.detail = detail;
    this.operation = operation;
  }
}

// The user pool's password policy (constructs_lib/shop_user_pool.py). The pages show these rules before
// the shopper types and check them before calling Cognito; tests/browser/test_account_pages.py compares
// them with the pool the local shop created from the template.
export const PASSWORD_POLICY = Object.freeze({ minLength: 12, uppercase: true, lowercase: true, digit: true, symbol: true });
// What Cognito counts as a symbol; a space counts too, but not at the start or the end.
const SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";
const RULE_WORDS = {
  minLength: `at least ${PASSWORD_POLICY.minLength} characters`,
  uppercase: "an uppercase letter",
  lowercase: "a lowercase letter",
  digit: "a digit",
  symbol: "a symbol, such as ! ? # or -",
};
const ALL_RULES = "at least 12 characters, with an uppercase and a lowercase letter, a digit and a symbol (such as ! ? # or -)";

function listed(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** The rules of PASSWORD_POLICY that `password` breaks, as keys of RULE_WORDS (empty: it is fine). */
export function passwordProblems(password) {
  const value = String(password || "");
  const checks = {
    minLength: value.length >= PASSWORD_POLICY.minLength,
    uppercase: !PASSWORD_POLICY.uppercase || /[A-Z]/.test(value),
    lowercase: !PASSWORD_POLICY.lowercase || /[a-z]/.test(value),
    digit: !PASSWORD_POLICY.digit || /[0-9]/.test(value),
    symbol: !PASSWORD_POLICY.symbol || [...value].some((c) => SYMBOLS.includes(c)) || / /.test(value.trim()),
  };
  return Object.keys(checks).filter((rule) => !checks[rule]);
}

/** "Your password needs a digit and a symbol, such as ! ? # or -." */
export function passwordSentence(problems) {
  if (!problems.length) return `Please choose another password: ${ALL_RULES}.`;
  return `Your password needs ${listed(problems.map((rule) => RULE_WORDS[rule]))}.`;
}

const SESSION_OVER = "Your session has ended. Please sign in again.";
const UNAVAILABLE = "Accounts are not available right now. Please try again in a few minutes.";
const SLOW_DOWN = "Too many attempts. Please wait a few minutes and try again.";

// Words per exception type; a function gets (Cognito's message, the operation).
const WORDS = {
  NotAuthorizedException: (message, operation) => {
    if (/attempts exceeded/i.test(message)) {
      return "Too many failed attempts. Wait a few minutes, or reset your password with “Forgot your password?”.";
    }
    if (/disabled/i.test(message)) return "This account is disabled. Please contact the shop.";
    if (/current status is confirmed/i.test(message)) return "This email is already confirmed. You can sign in.";
    if (operation === "InitiateAuth:USER_PASSWORD_AUTH") return "Wrong email or password.";
    if (operation === "ChangePassword") return "Your current password is not right.";
    if (operation === "ForgotPassword" || operation === "ConfirmForgotPassword") {
      return "The password of this account cannot be reset here. Please contact the shop.";
    }
    return SESSION_OVER;
  },
  UserNotFoundException: (_message, operation) => {
    if (operation === "InitiateAuth:USER_PASSWORD_AUTH") return "Wrong email or password.";
    if (operation === "ConfirmSignUp" || operation === "ConfirmForgotPassword") {
      return "That code is not right for this email. Check the email address and the code.";
    }
    return "We found no account with this email. Check the address, or create an account.";
  },
  UsernameExistsException: "An account with this email already exists. Sign in, or reset your password.",
  AliasExistsException: "An account with this email already exists. Sign in, or reset your password.",
  UserNotConfirmedException: "Your email address is not confirmed yet. Enter the code we emailed you.",
  PasswordResetRequiredException: "You need to choose a new password: use “Forgot your password?” to get a code.",
  CodeMismatchException: "That code is not right. Check the email we sent and try again.",
  ExpiredCodeException: "That code has expired or was already used. Ask for a new code.",
  // Cognito's message names the rule that failed ("Password did not conform with policy: Password must
  // have uppercase characters"); the local emulator's says only that the password "does not confirm to
  // the configured password policy". Neither reaches the shopper as it is.
  InvalidPasswordException: (message) => {
    if (/breach|compromised/i.test(message)) {
      return "This password has appeared in a data breach on another site. Please choose a different one.";
    }
    const named = [
      [/long enough|length|too short/i, "minLength"],
      [/upper/i, "uppercase"],
      [/lower/i, "lowercase"],
      [/numeric|number|digit/i, "digit"],
      [/symbol|special/i, "symbol"],
    ];
    return passwordSentence(named.filter(([pattern]) => pattern.test(message)).map(([, rule]) => rule));
  },
  PasswordHistoryPolicyViolationException: "Please choose a password you have not used recently.",
  InvalidParameterException: (message) => {
    if (/username should be|email/i.test(message) && !/password/i.test(message)) {
      return "Please enter a valid email address.";
    }
    if (/verified email|no registered/i.test(message)) {
      return "This account has no confirmed email, so its password cannot be reset here. Please contact the shop.";
    }
    if (/password/i.test(message)) return passwordSentence([]);
    if (/code/i.test(message)) return "That code is not in the right form. Enter the code from the email.";
    return "Something you entered was not accepted. Please check the form and try again.";
  },
  CodeDeliveryFailureException: "We could not send the code. Check the email address and try again.",
  LimitExceededException: SLOW_DOWN,
  TooManyRequestsException: "Too many requests right now. Please wait a moment and try again.",
  TooManyFailedAttemptsException: SLOW_DOWN,
  UnsupportedTokenTypeException: SESSION_OVER,
  UnauthorizedException: SESSION_OVER,
  ForbiddenException: "The request was refused. Please try again later.",
  ResourceNotFoundException: UNAVAILABLE,
  InternalErrorException: UNAVAILABLE,
  InvalidUserPoolConfigurationException: UNAVAILABLE,
  InvalidEmailRoleAccessPolicyException: UNAVAILABLE,
  InvalidSmsRoleAccessPolicyException: UNAVAILABLE,
  InvalidSmsRoleTrustRelationshipException: UNAVAILABLE,
  InvalidLambdaResponseException: UNAVAILABLE,
  UnexpectedLambdaException: UNAVAILABLE,
  UserLambdaValidationException: UNAVAILABLE,
};

/** Shopper's words for a Cognito error: `type` from __type / X-Amzn-ErrorType, `message` Cognito's own. */
export function describeError(type, message = "", operation = "") {
  const words = WORDS[type];
  if (typeof words === "function") return words(message || "", operation);
  if (words) return words;
  return "Something went wrong with your account request. Please try again.";
}

function errorType(response, body) {
  // "com.amazonaws...#NotAuthorizedException" or "NotAuthorizedException:http://..." → the bare name.
  const raw = String(body.__type || response.headers.get("x-amzn-errortype") || "");
  return raw.split("#").pop().split(":")[0].trim();
}

async function settings() {
  let config;
  try {
    config = await siteConfig();
  } catch {
    throw new CognitoError("The shop cannot be reached. Check your connection and try again.");
  }
  if (!config.userPoolClientId || !(config.cognitoEndpoint || config.region)) {
    throw new CognitoError(UNAVAILABLE, { type: "InvalidUserPoolConfigurationException" });
  }
  return {
    clientId: config.userPoolClientId,
    endpoint: config.cognitoEndpoint || `https://cognito-idp.${config.region}.amazonaws.com/`,
  };
}

/** One call of Cognito's JSON API; resolves to its JSON answer, throws a CognitoError with words. */
export async function callCognito(operation, body, { label = operation } = {}) {
  const { endpoint } = await settings();
  let response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new CognitoError("Accounts cannot be reached. Check your connection and try again.", { operation: label });
  }
  let parsed = {};
  try {
    parsed = (await response.json()) || {};
  } catch {
    parsed = {};
  }
  if (response.ok) return parsed;
  const type = errorType(response, parsed);
  const detail = String(parsed.message || parsed.Message || "");
  throw new CognitoError(describeError(type, detail, label), { type, detail, operation: label });
}

const withClient = async (build) => build((await settings()).clientId);

/** Refuses a password against PASSWORD_POLICY before Cognito is asked, with the rules it misses. */
function checkedPassword(password, operation) {
  const problems = passwordProblems(password);
  if (problems.length) {
    throw new CognitoError(passwordSentence(problems), { type: "InvalidPasswordException", detail: problems.join(","), operation });
  }
  return password;
}
const normalEmail = (email) => String(email || "").trim().toLowerCase();

// -- the operations the site uses -----------------------------------------------------------------

export const signUp = ({ email, password, name }) =>
  withClient((ClientId) =>
    callCognito("SignUp", {
      ClientId,
      Username: normalEmail(email),
      Password: checkedPassword(password, "SignUp"),
      UserAttributes: [
        { Name: "email", Value: normalEmail(email) },
        ...(name ? [{ Name: "name", Value: name }] : []),
      ],
    }),
  );

export const confirmSignUp = (email, code) =>
  withClient((ClientId) =>
    callCognito("ConfirmSignUp", { ClientId, Username: normalEmail(email), ConfirmationCode: String(code).trim() }),
  );

export const resendConfirmationCode = (email) =>
  withClient((ClientId) => callCognito("ResendConfirmationCode", { ClientId, Username: normalEmail(email) }));

/** USER_PASSWORD_AUTH: resolves to Cognito's answer (AuthenticationResult, or a ChallengeName). */
export const passwordSignIn = (email, password) =>
  withClient((ClientId) =>
    callCognito(
      "InitiateAuth",
      { ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: normalEmail(email), PASSWORD: password } },
      { label: "InitiateAuth:USER_PASSWORD_AUTH" },
    ),
  );

export const refreshTokens = (refreshToken) =>
  withClient((ClientId) =>
    callCognito(
      "InitiateAuth",
      { ClientId, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: refreshToken } },
      { label: "InitiateAuth:REFRESH_TOKEN_AUTH" },
    ),
  );

/** Answers NEW_PASSWORD_REQUIRED (an account created with a temporary password). */
export const setNewPassword = ({ email, newPassword, session, username }) =>
  withClient((ClientId) =>
    callCognito("RespondToAuthChallenge", {
      ClientId,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: session,
      ChallengeResponses: { USERNAME: username || normalEmail(email), NEW_PASSWORD: checkedPassword(newPassword, "RespondToAuthChallenge") },
    }),
  );

export const forgotPassword = (email) =>
  withClient((ClientId) => callCognito("ForgotPassword", { ClientId, Username: normalEmail(email) }));

export const confirmForgotPassword = ({ email, code, password }) =>
  withClient((ClientId) =>
    callCognito("ConfirmForgotPassword", {
      ClientId,
      Username: normalEmail(email),
      ConfirmationCode: String(code).trim(),
      Password: checkedPassword(password, "ConfirmForgotPassword"),
    }),
  );

export const changePassword = async ({ accessToken, previousPassword, proposedPassword }) =>
  callCognito("ChangePassword", {
    AccessToken: accessToken,
    PreviousPassword: previousPassword,
    ProposedPassword: checkedPassword(proposedPassword, "ChangePassword"),
  });

export const globalSignOut = (accessToken) => callCognito("GlobalSignOut", { AccessToken: accessToken });

export const revokeToken = (refreshToken) =>
  withClient((ClientId) => callCognito("RevokeToken", { ClientId, Token: refreshToken }));
