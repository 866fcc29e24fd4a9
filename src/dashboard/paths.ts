/** The dashboard's pages by exact path, and the prefixes of its pages and files (the HTTP layer's route family `page`). */
export const DASHBOARD_PAGES: readonly string[] = ['/', '/events', '/labs', '/health'];
export const DASHBOARD_PREFIXES: readonly string[] = ['/boards/', '/models/', '/assets/'];
