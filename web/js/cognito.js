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
  UserNotFoundException: (_message, operation) =>
    operation === "InitiateAuth:USER_PASSWORD_AUTH"
      ? "Wrong email or password."
      : "That code does not belong to this email. Check the email address.",
  UsernameExistsException: "An account with this email already exists. Sign in, or reset your password.",
  AliasExistsException: "An account with this email already exists. Sign in, or reset your password.",
  UserNotConfirmedException: "Your email address is not confirmed yet. Enter the code we emailed you.",
  PasswordResetRequiredException: "You need to choose a new password: use “Forgot your password?” to get a code.",
  CodeMismatchException: "That code is not right. Check the email we sent and try again.",
  ExpiredCodeException: "That code has expired or was already used. Ask for a new code.",
  // Cognito's message names the rule that failed ("Password must have uppercase characters").
  InvalidPasswordException: (message) => {
    const rule = message.replace(/^password did not conform with policy:\s*/i, "").trim();
    return `Please choose another password. ${rule || "It does not meet the rules."}`.trim();
  },
  PasswordHistoryPolicyViolationException: "Please choose a password you have not used recently.",
  InvalidParameterException: (message) => {
    if (/username should be|email/i.test(message) && !/password/i.test(message)) {
      return "Please enter a valid email address.";
    }
    if (/verified email|no registered/i.test(message)) {
      return "This account has no confirmed email, so its password cannot be reset here. Please contact the shop.";
    }
    return `Please check what you entered: ${message || "a value was not accepted"}.`;
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
const normalEmail = (email) => String(email || "").trim().toLowerCase();

// -- the operations the site uses -----------------------------------------------------------------

export const signUp = ({ email, password, name }) =>
  withClient((ClientId) =>
    callCognito("SignUp", {
      ClientId,
      Username: normalEmail(email),
      Password: password,
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
      ChallengeResponses: { USERNAME: username || normalEmail(email), NEW_PASSWORD: newPassword },
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
      Password: password,
    }),
  );

export const changePassword = ({ accessToken, previousPassword, proposedPassword }) =>
  callCognito("ChangePassword", {
    AccessToken: accessToken,
    PreviousPassword: previousPassword,
    ProposedPassword: proposedPassword,
  });

export const globalSignOut = (accessToken) => callCognito("GlobalSignOut", { AccessToken: accessToken });

export const revokeToken = (refreshToken) =>
  withClient((ClientId) => callCognito("RevokeToken", { ClientId, Token: refreshToken }));
