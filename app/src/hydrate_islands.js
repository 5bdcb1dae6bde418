// Brings a page's islands to life, and loads the WebAssembly bundle only on pages that have one:
// a page with nothing interactive (the decisions, "How this works") downloads no script at all.
// Otherwise this is Leptos 0.8's own islands script (leptos/src/hydration/island_script.js) with
// the bundle's two addresses given whole (they carry their content hash), and the preloads that
// Leptos puts in every page's <head> added here, only when there is an island to hydrate.
// An inline module runs once the document is parsed, so every island is already in it.
((js_url, wasm_url) => {
	if (!document.querySelector("leptos-island")) {
		return;
	}
	for (const [rel, href, as] of [["modulepreload", js_url], ["preload", wasm_url, "fetch"]]) {
		const link = document.createElement("link");
		link.rel = rel;
		link.href = href;
		link.crossOrigin = "anonymous";
		if (as) {
			link.as = as;
			link.type = "application/wasm";
		}
		document.head.append(link);
	}

	let MOST_RECENT_CHILDREN_CB = [];

	function idle(c) {
		if ("requestIdleCallback" in window) {
			window.requestIdleCallback(c);
		} else {
			c();
		}
	}
	async function hydrateIslands(rootNode, mod) {
		async function traverse(node) {
			if (node.nodeType === Node.ELEMENT_NODE) {
				const tag = node.tagName.toLowerCase();
				if (tag === "leptos-island") {
					const id = node.dataset.component || null;

					await hydrateIsland(node, id, mod);

					for (const child of node.children) {
						await traverse(child);
					}
				} else if (tag === "leptos-children") {
					MOST_RECENT_CHILDREN_CB.push(node.$$on_hydrate);
					for (const child of node.children) {
						await traverse(child);
					}
					// un-set the "most recent children"
					MOST_RECENT_CHILDREN_CB.pop();
				} else {
					for (const child of node.children) {
						await traverse(child);
					}
				}
			}
		}

		await traverse(rootNode);
	}
	async function hydrateIsland(el, id, mod) {
		const islandFn = mod[id];
		if (islandFn) {
			const children_cb = MOST_RECENT_CHILDREN_CB[MOST_RECENT_CHILDREN_CB.length - 1];
			if (children_cb) {
				children_cb();
			}
			const res = islandFn(el);
			if (res && res.then) {
				await res;
			}
		} else {
			console.warn(`Could not find WASM function for the island ${id}.`);
		}
	}
	idle(() => {
		import(js_url).then((mod) => {
			mod.default({ module_or_path: wasm_url }).then(() => {
				mod.hydrate();
				hydrateIslands(document.body, mod);
			});

			window.__hydrateIsland = (el, id) => hydrateIsland(el, id, mod);
		});
	});
})
