// Starts the operator app: the saved session (if any) decides the first screen.
import { render } from "preact";
import { App } from "./app";
import { unlockSound } from "./notify";
import { startModel } from "./state";
import { loadSession } from "./storage";
import { createStore } from "./store";
import "./styles.css";

const store = createStore(startModel(loadSession(), Date.now()));

// Browsers allow sound only after a gesture: the first click or key on the page (after a reload
// that skipped the login form) unlocks the ring.
for (const ev of ["pointerdown", "keydown"]) window.addEventListener(ev, unlockSound, { once: true, capture: true });
const root = document.getElementById("app");
if (root) render(<App store={store} baseUrl={location.origin} />, root);
