// The request gate (Next 16's proxy, formerly middleware), in front of every page and route
// handler: it sets the security headers (a fresh script nonce per request), refuses the
// no-login local mode unless this process listens on loopback only, refuses unknown Host
// headers in that mode (DNS rebinding), and sends requests without an actor to the login page
// (pages) or answers 401 (API). Server actions and route handlers check the actor again
// themselves; this only keeps unauthenticated users from reaching them.
import { NextResponse, type NextRequest } from "next/server";
import { allowedHost, localModeRefusal, resolveActor, SESSION_COOKIE } from "@/server/actor";
import { contentSecurityPolicy, newNonce, STATIC_SECURITY_HEADERS } from "@/server/security-headers";
import { authMode, loadWebConfig } from "@/server/web-config";
import { currentListener } from "@/server/web-listener";
import { authContext } from "@/server/auth";

const web = loadWebConfig(process.env);
const mode = authMode(web);
const dev = process.env.NODE_ENV === "development";

export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const csp = contentSecurityPolicy(newNonce(), dev);
  const secured = <R extends NextResponse>(response: R): R => {
    for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) response.headers.set(name, value);
    response.headers.set("Content-Security-Policy", csp);
    return response;
  };
  const text = (status: number, body: string) =>
    secured(new NextResponse(`${body}\n`, { status, headers: { "content-type": "text/plain" } }));

  if (mode === "local") {
    const refusal = localModeRefusal(web, currentListener());
    if (refusal) return text(503, `fleetdeck refuses to serve: ${refusal}`);
    if (!allowedHost(web, request.headers.get("host"))) {
      return text(
        421,
        `Host ${request.headers.get("host")} is not allowed; set FLEETDECK_ALLOWED_HOSTS to add it`,
      );
    }
  }
  // Next reads the nonce for its own scripts from the request's CSP header: this one, never the
  // client's.
  const pass = () => {
    const forwarded = new Headers(request.headers);
    forwarded.set("content-security-policy", csp);
    return secured(NextResponse.next({ request: { headers: forwarded } }));
  };
  // Machines (a fleet-automation backend) authenticate with the API bearer token, which the
  // signal and command-status routes check themselves.
  const machine =
    request.headers.get("authorization")?.startsWith("Bearer ") && pathname.startsWith("/api/commands/");
  if (pathname === "/api/signals" || pathname === "/login" || machine) return pass();
  let actor;
  try {
    actor = await resolveActor(
      web,
      {
        header: (name) => request.headers.get(name),
        sessionCookie: request.cookies.get(SESSION_COOKIE)?.value,
      },
      authContext(),
    );
  } catch (error) {
    // The session store cannot answer (an unmigrated or unreachable database): fail closed.
    return text(503, `cannot check the session: ${(error as Error).message}`);
  }
  if (actor) return pass();
  if (pathname.startsWith("/api/")) {
    return secured(NextResponse.json({ error: "unauthenticated: sign in at /login" }, { status: 401 }));
  }
  const login = new URL("/login", request.url);
  login.searchParams.set("next", pathname + search);
  return secured(NextResponse.redirect(login));
}

export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"] };
