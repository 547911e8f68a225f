// The supervisor's part of the app, loaded on demand (a dynamic import from ../main.tsx) so the
// operator app does not carry it.
import { render } from "preact";
import { SupervisorApp } from "./app";
import "./supervisor.css";

export function start(root: HTMLElement, baseUrl: string): void {
  render(<SupervisorApp baseUrl={baseUrl} />, root);
}
