import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vitest/config";

const gen = fileURLToPath(new URL("../../gen/ts", import.meta.url));
const dist = fileURLToPath(new URL("./dist", import.meta.url));

// keepPlaceholder puts dist/.keep back after Vite empties dist: the Go package embeds
// all:dist, which must exist (with at least one file) even before the first build.
function keepPlaceholder(): Plugin {
  return {
    name: "tandem-keep-placeholder",
    apply: "build",
    closeBundle() {
      writeFileSync(`${dist}/.keep`, "");
    },
  };
}

export default defineConfig({
  resolve: {
    alias: { "@gen": gen },
    // The generated code imports @bufbuild/protobuf from outside this package: use ours.
    dedupe: ["@bufbuild/protobuf"],
  },
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  server: {
    fs: { allow: [".", gen] },
    // `npm run dev` against a local tandem: the API is on the same origin in production.
    proxy: {
      "^/tandem\\.": { target: process.env.TANDEM_URL ?? "http://127.0.0.1:8080" },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsDir: "assets",
    sourcemap: false,
    reportCompressedSize: true,
  },
  plugins: [keepPlaceholder()],
  test: {
    include: ["test/**/*.test.ts"],
    // Every catalog loaded before the tests, as a page loads its language before it renders.
    setupFiles: ["test/setup.ts"],
    environment: "node",
  },
});
