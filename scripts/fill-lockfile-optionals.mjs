// The npm registry mirror of these machines serves no macOS/Windows/wasm builds, so `npm
// install` leaves platform-specific optional dependencies (Next's SWC, Tailwind's oxide...)
// out of package-lock.json, and `npm ci` then refuses the lock as incomplete. This adds a
// version-only entry for each missing one: `npm ci` accepts the lock, skips them on Linux, and
// still fetches the right build (by version) on a machine that needs it.
// Run after `npm install` changed the lock: node scripts/fill-lockfile-optionals.mjs
import fs from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  const base = path === "" ? "" : `${path}/`;
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    // npm resolves a dependency next to its dependent first, then at the top level.
    if (packages[`${base}node_modules/${name}`] || packages[`node_modules/${name}`]) continue;
    packages[`node_modules/${name}`] = { version, optional: true, ...(entry.dev ? { dev: true } : {}) };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} optional platform entries`);
