// Starts the app: /supervisor loads the supervisor's part on demand (wallboard, reports,
// configuration); every other path is the operator app, whose saved session (if any) decides the
// first screen.
import { render } from "preact";
import { loadLang } from "./i18n/i18n";
import { App } from "./app";
import { browserPhone, loadVoxSdk } from "./browserphone";
import { ring, unlockSound } from "./notify";
import { reduce, startModel } from "./state";
import { useSoftphone } from "./softphone";
import { loadPrefs, loadSession } from "./storage";
import { createStore } from "./store";
import "./styles.css";

const root = document.getElementById("app");

function startOperatorApp(root: HTMLElement) {
  // Every operator gets the browser phone; it stays off (and the SDK unloaded) for those whose
  // contact is not a Voximplant user with a password set. It rings on (sound allowed) while the
  // offer's call rings in the tab.
  useSoftphone(browserPhone(loadVoxSdk, () => loadPrefs().sound && ring()));
  const store = createStore(startModel(loadSession(), Date.now()), reduce);
  // Browsers allow sound only after a gesture: the first click or key on the page (after a reload
  // that skipped the login form) unlocks the ring.
  for (const ev of ["pointerdown", "keydown"]) window.addEventListener(ev, unlockSound, { once: true, capture: true });
  render(<App store={store} baseUrl={location.origin} />, root);
}

// The language's catalog first (English is built in; another loads on demand), then the page.
void loadLang().finally(() => {
  if (root && location.pathname.replace(/\/+$/, "") === "/supervisor") {
    void import("./supervisor/main").then((m) => m.start(root, location.origin));
  } else if (root) {
    startOperatorApp(root);
  }
});
