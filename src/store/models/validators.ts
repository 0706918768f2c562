/** Field formats shared by the models, the domain services and the admin API. */

/** E.164 phone number: `+`, country code, up to 15 digits. */
export const E164 = /^\+[1-9][0-9]{1,14}$/;

/** Tenant ids are slugs chosen by the operator, e.g. `demo-pizzeria`. */
export const TENANT_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** Wall-clock time of day, 24 h: `09:00`, `23:30`. */
export const HH_MM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** Twilio call SID. */
export const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

/** True for a time zone the runtime's ICU knows (IANA names such as `America/New_York`). */
export function isValidTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
