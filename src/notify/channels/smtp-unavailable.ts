/**
 * What the Worker's bundle holds in place of nodemailer (wrangler.toml's `[alias]`): Workers open
 * no SMTP connections, and the email channel says so before it would import it (./email.ts).
 */
export function createTransport(): never {
  throw new Error('email is not sent from Cloudflare Workers (no SMTP connections there)');
}
