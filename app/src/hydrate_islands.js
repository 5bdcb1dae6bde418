// Wakes the page's islands, and fetches the WebAssembly bundle only for a page that has one: a
// page with nothing interactive (the decisions, "How this works") downloads no script at all.
// It does what Leptos 0.8's islands script does (hints for the bundle, then, when the browser is
// idle, load it, hydrate, and call each island's exported function on its element, outer islands
// first, passing server-rendered children along), with the bundle's versioned addresses.
// An inline module runs once the document is parsed, so every island is already in it.
((scriptUrl, wasmUrl) => {
	if (!document.querySelector("leptos-island")) {
		return;
	}
	const hint = (rel, href, as) => {
		const link = Object.assign(document.createElement("link"), { rel, href, crossOrigin: "anonymous" });
		if (as) {
			Object.assign(link, { as, type: "application/wasm" });
		}
		document.head.append(link);
	};
	hint("modulepreload", scriptUrl);
	hint("preload", wasmUrl, "fetch");

	// An island inside another island's children first runs the callback that the enclosing
	// <leptos-children> element was given when its parent hydrated.
	const enclosingChildren = [];
	const wake = async (bundle, element, name) => {
		const island = bundle[name];
		if (typeof island !== "function") {
			console.warn(`No island named ${name} in the bundle.`);
			return;
		}
		enclosingChildren[enclosingChildren.length - 1]?.();
		await island(element);
	};
	const walk = async (bundle, element) => {
		const tag = element.localName;
		if (tag === "leptos-island") {
			await wake(bundle, element, element.dataset.component);
		}
		const children = tag === "leptos-children";
		if (children) {
			enclosingChildren.push(element.$$on_hydrate);
		}
		for (const child of element.children) {
			await walk(bundle, child);
		}
		if (children) {
			enclosingChildren.pop();
		}
	};
	const whenIdle = "requestIdleCallback" in window ? (run) => window.requestIdleCallback(run) : (run) => run();
	whenIdle(async () => {
		const bundle = await import(scriptUrl);
		// Islands added to the page later (none today) can be woken the same way.
		window.__hydrateIsland = (element, name) => wake(bundle, element, name);
		await bundle.default({ module_or_path: wasmUrl });
		bundle.hydrate();
		await walk(bundle, document.body);
	});
})
