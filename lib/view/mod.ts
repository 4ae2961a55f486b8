/**
 * The run viewer: a local web page over run folders (`deno task view`).
 * @module
 */
export { startViewer, type Viewer, type ViewerOptions } from "./server.ts";
