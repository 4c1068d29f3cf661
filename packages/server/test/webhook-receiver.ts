import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhookSignature } from "@latchkey/sdk";

/** How the receiver answers: 2xx, an error status, or not at all (until the sender gives up). */
export type ReceiverMode = { status: number } | "hang";

/** One request the receiver got, with the outcome of its signature check. */
export interface Received {
  eventId: string;
  eventType: string;
  deliveryId: string;
  body: string;
  signatureValid: boolean;
  status: number | null;
}

/**
 * A webhook receiver on 127.0.0.1 that checks every signature with the SDK, as a customer's would.
 * It can be stopped (connections refused) and started again on the same port.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  mode: ReceiverMode = { status: 200 };
  private server: Server | null = null;
  private port = 0;

  constructor(
    private readonly secret: () => string,
    private readonly now: () => Date,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/latchkey`;
  }

  /** The accepted (2xx) requests whose signature held. */
  get accepted(): Received[] {
    return this.received.filter((r) => r.signatureValid && r.status !== null && r.status < 300);
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const signatureValid = verifyWebhookSignature({
          payload: body,
          header: request.headers["latchkey-signature"] as string | undefined,
          secret: this.secret(),
          now: this.now(),
        });
        const mode = this.mode;
        const status = mode === "hang" ? null : signatureValid ? mode.status : 400;
        this.received.push({
          eventId: String(request.headers["latchkey-event-id"]),
          eventType: String(request.headers["latchkey-event-type"]),
          deliveryId: String(request.headers["latchkey-delivery-id"]),
          body,
          signatureValid,
          status,
        });
        if (status === null) return;
        response.writeHead(status, { "content-type": "text/plain" }).end("ok");
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
