export {
  redact,
  redactError,
  redactHeaders,
  registerSecret,
  registerSecretsFromEnvironment,
  secretsFromEnvironment,
  stripUrlCredentials,
  isSecretVariableName,
} from "./redact.js";
