import { describe, expect, it } from "vitest";
import { subjectKeys } from "./controller";

describe("access refresher keys", () => {
  it("round-trip a person as the dashboard stores them (groups sorted, once each)", () => {
    const text = subjectKeys.encode({ user: "alice", groups: ["sre", "ops", "sre"] });
    expect(text).toBe(subjectKeys.encode({ user: "alice", groups: ["ops", "sre"] }));
    expect(subjectKeys.decode(text)).toEqual({ user: "alice", groups: ["ops", "sre"] });
  });

  it("refuse texts that are not a person", () => {
    for (const text of ["", "alice", "{}", '{"user":"","groups":[]}', '{"user":"a","groups":[1]}'])
      expect(subjectKeys.decode(text), text).toBeUndefined();
  });
});
