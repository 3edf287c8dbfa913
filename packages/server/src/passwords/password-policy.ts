import { AuthError } from "../errors.js";

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * Length is the only composition rule (NIST SP 800-63B §5.1.1.2): 8 to 256 characters, counted
 * as Unicode code points. argon2 has no 72-byte truncation, so the whole password counts.
 */
export function assertAcceptablePassword(password: string, field = "password"): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new AuthError(
      "VALIDATION_FAILED",
      `Password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
      {
        details: [
          {
            path: `/${field}`,
            message: `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
          },
        ],
      },
    );
  }
}
