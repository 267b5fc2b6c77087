import { describe, expect, it } from "vitest";
import { payloadView } from "./metadata-view";

describe("payloadView", () => {
  it("expands JSON-string and YAML-string fields into one readable YAML document", () => {
    const crd = JSON.stringify({
      uuid: "u",
      datadog_operator_crd_metadata: {
        crd_spec_full: '{"global":{"site":"datadoghq.eu"}}',
        crd_labels: "null",
        crd_name: "datadog",
      },
    });
    expect(payloadView(crd)).toBe(
      "datadog_operator_crd_metadata:\n  crd_labels: null\n  crd_name: datadog\n  crd_spec_full:\n    global:\n      site: datadoghq.eu\nuuid: u\n",
    );
    const helm = JSON.stringify({
      datadog_operator_helm_metadata: { helm_provided_configuration: "a:\n  b: 1\n" },
    });
    expect(payloadView(helm)).toBe(
      "datadog_operator_helm_metadata:\n  helm_provided_configuration:\n    a:\n      b: 1\n",
    );
  });

  it("shows text that is not JSON as it is, and nothing for a skipped send", () => {
    expect(payloadView("{oops")).toBe("{oops");
    expect(payloadView("")).toBe("");
  });
});
