// Who is signing in, for the sign-in throttle (its key) and the sign-in audit rows (the
// address). The socket's peer is who is asking, except behind a proxy, where every request
// comes from the proxy and everyone would share one throttle:
// - through the OIDC proxy (its secret and a user): the person it signed in; the throttle is
//   theirs, the address the last X-Forwarded-For hop (what the proxy saw);
// - from a trusted proxy's address (FLEETDECK_TRUSTED_PROXIES, an Ingress controller): the
//   right-most X-Forwarded-For hop that is not itself a trusted proxy (hops to its left are
//   whatever the client sent);
// - otherwise the peer. Through `kubectl port-forward` that is the pod's loopback for everyone.
import { BlockList, isIP } from "node:net";
import { proxyIdentity } from "./actor";
import type { WebConfig } from "./web-config";
import { socketPeer } from "./web-listener";

export interface SignInClient {
  /** The throttle's key: one per person or address. */
  key: string;
  /** The client's address, as recorded. */
  address: string;
}

type Header = (name: string) => string | null | undefined;

/** An address without an IPv4-mapped IPv6 prefix ("::ffff:10.0.0.1" is 10.0.0.1). */
const plain = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");

function trustedList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", bits] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(plain(address), family);
    else list.addSubnet(plain(address), Number(bits), family);
  }
  return list;
}

const isTrusted = (list: BlockList, address: string) => {
  const a = plain(address);
  const family = isIP(a);
  return family !== 0 && list.check(a, family === 6 ? "ipv6" : "ipv4");
};

const forwardedHops = (header: Header) =>
  (header("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);

export function signInClient(config: WebConfig, header: Header): SignInClient {
  const peer = socketPeer(header);
  const person = proxyIdentity(config, header);
  if (person) {
    const hops = forwardedHops(header);
    return { key: `user:${person.user}`, address: hops[hops.length - 1] ?? peer ?? "unknown" };
  }
  if (!peer) return { key: "unknown", address: "unknown" };
  const trusted = trustedList(config.FLEETDECK_TRUSTED_PROXIES);
  if (!isTrusted(trusted, peer)) return { key: peer, address: peer };
  const client = forwardedHops(header)
    .reverse()
    .find((hop) => !isTrusted(trusted, hop));
  const address = client ?? peer;
  return { key: address, address };
}
