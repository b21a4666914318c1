// Loads the WASM client; a file rather than an inline script so the CSP stays `script-src 'self'`.
import init from './madar_client.js';
init();
