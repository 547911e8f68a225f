// Starts the operator app: the saved session (if any) decides the first screen.
import { render } from "preact";
import { App } from "./app";
import { startModel } from "./state";
import { loadSession } from "./storage";
import { createStore } from "./store";
import "./styles.css";

const store = createStore(startModel(loadSession(), Date.now()));
const root = document.getElementById("app");
if (root) render(<App store={store} baseUrl={location.origin} />, root);
