// One Server-Sent Events response: text frames queued on a byte-counted stream. A browser that
// stops reading (a frozen tab, a stalled connection) leaves what is sent in the queue; past
// `maxBufferedBytes` the stream is ended with an error, which drops the connection and frees
// the queue, instead of growing without bound (the browser reconnects and resumes from its
// last event id when it reads again).

export interface SseChannel {
  readonly stream: ReadableStream<Uint8Array>;
  /** Queues a frame; false once the channel is closed (then it is dropped). */
  send(text: string): boolean;
  /** Ends the stream after what is queued. */
  close(): void;
  /** Whether frames are still sent (not closed, cancelled or dropped). */
  isOpen(): boolean;
}

export interface SseChannelOptions {
  /** Bytes queued and not yet read by the client beyond which it is dropped. */
  maxBufferedBytes: number;
  /** Called once when the channel ends: closed, cancelled by the client, or dropped. */
  onEnd(reason: "closed" | "cancelled" | "too-slow"): void;
}

/** What the stream keeps ready for the client before `send` counts a frame as waiting. */
const HIGH_WATER_MARK = 16 * 1024;

export function sseChannel(options: SseChannelOptions): SseChannel {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const end = (reason: "closed" | "cancelled" | "too-slow") => {
    if (!open) return;
    open = false;
    options.onEnd(reason);
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel() {
        end("cancelled");
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_MARK }),
  );
  return {
    stream,
    send(text) {
      if (!open) return false;
      controller.enqueue(encoder.encode(text));
      const queued = HIGH_WATER_MARK - (controller.desiredSize ?? 0);
      if (queued > options.maxBufferedBytes) {
        end("too-slow");
        controller.error(new Error(`the client read nothing of ${queued} bytes: dropped`));
        return false;
      }
      return true;
    },
    close() {
      if (!open) return;
      end("closed");
      controller.close();
    },
    isOpen: () => open,
  };
}
