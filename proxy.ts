// The request gate (Next 16's proxy, formerly middleware): refuses unknown Host headers while
// the dashboard runs without authentication (DNS rebinding), and sends requests without an
// actor to the login page (pages) or answers 401 (API). Server actions and route handlers
// check again themselves; this only keeps unauthenticated users from reaching them.
import { NextResponse, type NextRequest } from "next/server";
import { allowedHost, resolveActor, SESSION_COOKIE } from "@/lib/auth";
import { authMode, loadWebConfig } from "@/lib/web-config";

const web = loadWebConfig(process.env);
const mode = authMode(web);

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (mode === "local" && !allowedHost(web, request.headers.get("host"))) {
    return new NextResponse(
      `Host ${request.headers.get("host")} is not allowed; set FLEETDECK_ALLOWED_HOSTS to add it\n`,
      {
        status: 421,
        headers: { "content-type": "text/plain" },
      },
    );
  }
  // Machines (a fleet-automation backend) authenticate with the API bearer token, which the
  // signal and command-status routes check themselves.
  const machine =
    request.headers.get("authorization")?.startsWith("Bearer ") && pathname.startsWith("/api/commands/");
  if (pathname === "/api/signals" || pathname === "/login" || machine) return NextResponse.next();
  const actor = resolveActor(web, {
    header: (name) => request.headers.get(name),
    sessionCookie: request.cookies.get(SESSION_COOKIE)?.value,
  });
  if (actor) return NextResponse.next();
  if (pathname.startsWith("/api/")) {
    return NextResponse.json({ error: "unauthenticated: sign in at /login" }, { status: 401 });
  }
  const login = new URL("/login", request.url);
  login.searchParams.set("next", pathname + search);
  return NextResponse.redirect(login);
}

export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"] };
