import { describe, expect, it } from "vitest";
import { sseChannel } from "./sse-channel";

const frame = (i: number) => `id: ${i}\nevent: changes\ndata: ${"x".repeat(1000)}\n\n`;

describe("sseChannel", () => {
  it("drops a client that reads nothing once more than the bound is waiting for it", async () => {
    const ends: string[] = [];
    const channel = sseChannel({ maxBufferedBytes: 64 * 1024, onEnd: (reason) => ends.push(reason) });
    let sent = 0;
    while (channel.send(frame(sent)) && sent < 10_000) sent++;
    // Dropped after about 64 KiB of ~1 KB frames, not after 10,000 frames.
    expect(sent).toBeGreaterThan(50);
    expect(sent).toBeLessThan(80);
    expect(ends).toEqual(["too-slow"]);
    expect(channel.send(frame(0))).toBe(false);
    // The client's next read fails: the response ends and its queue is freed.
    await expect(channel.stream.getReader().read()).rejects.toThrow(/read nothing of \d+ bytes: dropped/);
  });

  it("keeps a client that reads, however much is sent", async () => {
    const ends: string[] = [];
    const channel = sseChannel({ maxBufferedBytes: 64 * 1024, onEnd: (reason) => ends.push(reason) });
    const reader = channel.stream.getReader();
    let [sent, received] = [0, 0];
    for (let i = 0; i < 1_000; i++) {
      expect(channel.send(frame(i))).toBe(true);
      sent += frame(i).length;
      received += (await reader.read()).value!.byteLength;
    }
    expect(received).toBe(sent);
    channel.close();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(ends).toEqual(["closed"]);
  });

  it("ends once when the client goes away", async () => {
    const ends: string[] = [];
    const channel = sseChannel({ maxBufferedBytes: 1024, onEnd: (reason) => ends.push(reason) });
    await channel.stream.cancel();
    channel.close();
    expect(ends).toEqual(["cancelled"]);
    expect(channel.send("data: x\n\n")).toBe(false);
  });
});
