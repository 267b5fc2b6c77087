import { describe, expect, it } from "vitest";
import {
  commandAccess,
  decodeSubject,
  denialMessage,
  encodeSubject,
  hasFullPower,
  serviceAccountSubject,
} from "./access";
import { COMMAND_KINDS } from "./commands";

describe("commandAccess", () => {
  it("maps every command kind to the Kubernetes verb applying it implies", () => {
    const access = Object.fromEntries(
      COMMAND_KINDS.map((kind) => [
        kind,
        commandAccess(kind, kind === "ping" ? "" : "datadog/web", { kind: "StatefulSet" }),
      ]),
    );
    const dda = {
      verb: "update",
      group: "datadoghq.com",
      resource: "datadogagents",
      namespace: "datadog",
      name: "web",
    };
    expect(access).toEqual({
      ping: null,
      "start-experiment": dda,
      "stop-experiment": dda,
      "promote-experiment": dda,
      "restore-revision": dda,
      "enable-spot": {
        verb: "patch",
        group: "apps",
        resource: "statefulsets",
        namespace: "datadog",
        name: "web",
      },
      "disable-spot": {
        verb: "patch",
        group: "apps",
        resource: "statefulsets",
        namespace: "datadog",
        name: "web",
      },
    });
    expect(commandAccess("disable-spot", "shop/checkout", { kind: "Deployment", minutes: 5 })?.resource).toBe(
      "deployments",
    );
  });
});

describe("denialMessage", () => {
  it("reads as the issue asks", () => {
    expect(
      denialMessage(
        { user: "alice", groups: ["sre"] },
        {
          verb: "update",
          group: "datadoghq.com",
          resource: "datadogagents",
          namespace: "datadog",
          name: "web",
        },
      ),
    ).toBe('alice (groups: sre) cannot update datadogagents.datadoghq.com "web" in namespace "datadog"');
    expect(
      denialMessage(
        { user: "bob", groups: [] },
        { verb: "patch", group: "apps", resource: "deployments", namespace: "shop", name: "checkout" },
      ),
    ).toBe('bob (no groups) cannot patch deployments.apps "checkout" in namespace "shop"');
  });
});

describe("subjects", () => {
  it("encode to one text per identity and decode back; anything else decodes to null", () => {
    const a = encodeSubject({ user: "alice", groups: ["sre", "ops", "sre"] });
    expect(a).toBe(encodeSubject({ user: "alice", groups: ["ops", "sre"] }));
    expect(decodeSubject(a)).toEqual({ user: "alice", groups: ["ops", "sre"] });
    for (const bad of [null, "", "nope", '{"user":""}', '{"user":"x","groups":[1]}', "[]"])
      expect(decodeSubject(bad), String(bad)).toBeNull();
  });

  it("name a ServiceAccount as the API server authenticates its tokens", () => {
    expect(serviceAccountSubject("fleetdeck-system", "fleet-automation")).toEqual({
      user: "system:serviceaccount:fleetdeck-system:fleet-automation",
      groups: ["system:serviceaccounts", "system:serviceaccounts:fleetdeck-system", "system:authenticated"],
    });
  });

  it("give full power only to loopback and the admin token", () => {
    expect(["local", "admin-token", "proxy", "api-token", "unknown"].map(hasFullPower)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
