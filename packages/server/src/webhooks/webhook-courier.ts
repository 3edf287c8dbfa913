import type { Clock } from "../clock.js";
import { UndeliverableError, type OutboxCourier } from "../mail/delivery-worker.js";
import { WEBHOOK_KIND } from "./webhook-event.js";
import { SIGNATURE_HEADER, webhookSignature } from "./webhook-signature.js";

/** A receiver that has not answered within this long is retried later. */
const TIMEOUT_MS = 10_000;

/**
 * POSTs each webhook to the configured URL, signed at the time of sending (so a retry hours
 * later carries a fresh timestamp). A 2xx answer delivers it; 408, 429, 5xx, a timeout or a
 * network error are retried with the worker's back-off; any other 4xx is the receiver refusing
 * this body for good (its URL or secret is wrong), and a redirect is not followed (the URL is
 * configured, not discovered): retrying the same body cannot help, so the message is given up
 * and logged.
 */
export function webhookCourier(
  webhook: { url: string; secret: string },
  clock: Clock,
  timeoutMs = TIMEOUT_MS,
): OutboxCourier {
  return {
    kind: WEBHOOK_KIND,
    async deliver(message) {
      const body = message.payload;
      const response = await fetch(webhook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Baton-Webhook/1",
          "baton-event-id": message.id,
          [SIGNATURE_HEADER]: webhookSignature(webhook.secret, body, clock.now()),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The answer's body is not read: a receiver's page of text is not ours to keep.
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return;
      const reason = `webhook receiver answered ${response.status}`;
      if (response.status < 500 && ![408, 429].includes(response.status))
        throw new UndeliverableError(reason);
      throw new Error(reason);
    },
  };
}
