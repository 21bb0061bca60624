/*
 * nm-web's page: the event stream (/events) drawn as it comes, on plain
 * canvas, with nothing from elsewhere.  The first event ("state") is the
 * history a page opened late starts from; then the stream's "header"
 * (its sources), a "point" per interval,
 * the "stats" record (totals, protocols, top talkers and connections),
 * each "alert", each source's "capstats", and "end".  Every text from the
 * stream goes in with textContent, never as HTML: names come from DNS
 * answers anyone on the wire can forge.
 */
'use strict';

const HISTORY = 600; /* points kept, as the server keeps them */
const ALERTS = 200;
const nm = { points: [], stats: null, alerts: 0, events: 0, view: 'hosts',
	sort: { key: 'bytes', dir: -1 }, capstats: new Map(), sources: [] };
window.nm = nm; /* for the tests' eyes */

const $ = (id) => document.getElementById(id);

function si(v, unit) {
	const p = ['', 'k', 'M', 'G', 'T'];
	let i = 0;
	v = Number(v) || 0;
	while (Math.abs(v) >= 1000 && i < p.length - 1) { v /= 1000; i++; }
	return (i === 0 ? String(Math.round(v * 10) / 10) : v.toFixed(1)) +
	    ' ' + p[i] + unit;
}

function clock(ms) {
	const d = new Date(ms);
	return d.toTimeString().slice(0, 8);
}

/* --- charts --- */

function chart(canvas, idx, color) {
	const g = canvas.getContext('2d');
	const w = canvas.width, h = canvas.height, pad = 34;
	const pts = nm.points;
	g.clearRect(0, 0, w, h);
	g.font = '11px system-ui, sans-serif';
	g.fillStyle = '#6b7280';
	g.strokeStyle = '#d9dde3';
	let max = 0;
	for (const p of pts) max = Math.max(max, p[idx]);
	max = max > 0 ? max * 1.1 : 1;
	for (let i = 0; i <= 2; i++) {
		const y = 4 + (h - 22) * i / 2;
		g.beginPath(); g.moveTo(pad, y); g.lineTo(w, y); g.stroke();
		g.fillText(si(max * (2 - i) / 2, ''), 0, y + 4);
	}
	if (pts.length === 0) return;
	const t0 = pts[0][0], t1 = pts[pts.length - 1][0];
	const span = Math.max(t1 - t0, 1);
	const x = (t) => pad + (w - pad - 4) * (t - t0) / span;
	const y = (v) => 4 + (h - 22) * (1 - v / max);
	g.fillText(clock(t0), pad, h - 4);
	g.fillText(clock(t1), w - 52, h - 4);
	g.beginPath();
	g.moveTo(x(pts[0][0]), y(pts[0][idx]));
	for (const p of pts) g.lineTo(x(p[0]), y(p[idx]));
	g.strokeStyle = color;
	g.lineWidth = 2;
	g.stroke();
	g.lineTo(x(t1), y(0));
	g.lineTo(x(t0), y(0));
	g.closePath();
	g.globalAlpha = 0.12;
	g.fillStyle = color;
	g.fill();
	g.globalAlpha = 1;
	g.lineWidth = 1;
}

const PROTO_COLORS = ['#1f7a4d', '#2563eb', '#ca8a04', '#0891b2', '#c026d3',
	'#dc2626', '#64748b', '#7c3aed'];

function protos(list) {
	const c = $('protos'), g = c.getContext('2d');
	const w = c.width, rows = Math.min(list.length, 8), rh = 19;
	g.clearRect(0, 0, w, c.height);
	g.font = '12px system-ui, sans-serif';
	for (let i = 0; i < rows; i++) {
		const p = list[i], y = i * rh + 2;
		const pct = Number(p.pkt_pct) || 0;
		g.fillStyle = PROTO_COLORS[i % PROTO_COLORS.length];
		g.fillRect(90, y, (w - 160) * pct / 100, rh - 5);
		g.fillStyle = '#1d2330';
		g.fillText(String(p.name).slice(0, 12), 0, y + 12);
		g.fillText(pct.toFixed(1) + ' %', w - 62, y + 12);
	}
}

function redraw() {
	chart($('chart-pps'), 1, '#1f7a4d');
	chart($('chart-bps'), 2, '#2563eb');
	$('npoints').textContent = nm.points.length;
}

function addPoint(p) {
	nm.points.push(p);
	if (nm.points.length > HISTORY) nm.points.shift();
	const last = nm.points[nm.points.length - 1];
	$('pps').textContent = si(last[1], '');
	$('bps').textContent = si(last[2], 'bit/s');
}

/* --- the table --- */

const COLUMNS = {
	hosts: [
		{ key: 'addr', label: 'address' },
		{ key: 'name', label: 'name' },
		{ key: 'packets', label: 'packets', n: 1 },
		{ key: 'bytes', label: 'bytes', n: 1 },
		{ key: 'tx_bytes', label: 'sent', n: 1 },
		{ key: 'rx_bytes', label: 'received', n: 1 },
	],
	flows: [
		{ key: 'proto', label: 'proto' },
		{ key: 'src', label: 'source' },
		{ key: 'src_name', label: 'name' },
		{ key: 'sport', label: 'port', n: 1 },
		{ key: 'dst', label: 'destination' },
		{ key: 'dst_name', label: 'name' },
		{ key: 'dport', label: 'port', n: 1 },
		{ key: 'service', label: 'service' },
		{ key: 'server', label: 'server name' },
		{ key: 'orig_bytes', label: 'bytes out', n: 1 },
		{ key: 'resp_bytes', label: 'bytes in', n: 1 },
		{ key: 'state', label: 'state' },
	],
	/* the names clients asked for: TLS server name, HTTP Host */
	servers: [
		{ key: 'name', label: 'server name' },
		{ key: 'flows', label: 'connections', n: 1 },
		{ key: 'packets', label: 'packets', n: 1 },
		{ key: 'bytes', label: 'bytes', n: 1 },
	],
};

function rows() {
	const s = nm.stats;
	if (!s) return [];
	if (nm.view === 'hosts') return (s.top_hosts || []).slice();
	if (nm.view === 'servers') return (s.top_servers || []).slice();
	return (s.top_flows || []).map((f) => Object.assign({}, f, {
		orig_bytes: f.orig ? f.orig.bytes : 0,
		resp_bytes: f.resp ? f.resp.bytes : 0,
	}));
}

function table() {
	const cols = COLUMNS[nm.view], t = $('top');
	const head = document.createElement('tr');
	for (const c of cols) {
		const th = document.createElement('th');
		th.textContent = c.label;
		th.dataset.key = c.key;
		if (c.n) th.className = 'n';
		if (nm.sort.key === c.key)
			th.classList.add(nm.sort.dir > 0 ? 'asc' : 'desc');
		head.appendChild(th);
	}
	t.tHead.replaceChildren(head);
	const k = nm.sort.key, d = nm.sort.dir;
	const list = rows().sort((a, b) => {
		const x = a[k] === undefined ? '' : a[k];
		const y = b[k] === undefined ? '' : b[k];
		if (typeof x === 'number' && typeof y === 'number')
			return (x - y) * d;
		return String(x).localeCompare(String(y)) * d;
	});
	const body = document.createDocumentFragment();
	for (const r of list) {
		const tr = document.createElement('tr');
		for (const c of cols) {
			const td = document.createElement('td');
			const v = r[c.key];
			td.textContent = v === undefined ? '' :
			    c.n && c.key.indexOf('bytes') >= 0 ? si(v, 'B') : v;
			if (c.n) td.className = 'n';
			if (c.key.indexOf('name') >= 0) td.classList.add('name');
			tr.appendChild(td);
		}
		body.appendChild(tr);
	}
	t.tBodies[0].replaceChildren(body);
}

function onHead(ev) {
	const th = ev.target.closest('th');
	if (!th) return;
	const key = th.dataset.key;
	if (nm.sort.key === key) nm.sort.dir = -nm.sort.dir;
	else {
		const col = COLUMNS[nm.view].find((c) => c.key === key);
		nm.sort = { key: key, dir: col && col.n ? -1 : 1 };
	}
	table();
}

function view(v) {
	nm.view = v;
	nm.sort = { key: v === 'flows' ? 'orig_bytes' : 'bytes', dir: -1 };
	$('tab-hosts').classList.toggle('on', v === 'hosts');
	$('tab-flows').classList.toggle('on', v === 'flows');
	$('tab-servers').classList.toggle('on', v === 'servers');
	table();
}

/* --- figures, capture, alerts --- */

function stats(s) {
	nm.stats = s;
	const t = s.total || {};
	$('packets').textContent = si(t.packets, '');
	$('bytes').textContent = si(t.bytes, 'B');
	$('flows').textContent = t.flows === undefined ? '-' : t.flows;
	const cap = s.capture;
	if (cap) {
		$('drops').textContent = (cap.drop || 0) + (cap.ifdrop || 0);
		$('coverage').textContent = cap.coverage === undefined ? '-' :
		    Number(cap.coverage).toFixed(1) + ' %';
	}
	protos(s.protos || []);
	table();
}

/* The header's sources: what the capture table calls each. */
function header(h) {
	nm.sources = (h && h.sources) || [];
	if (nm.capstats.size) capstats(null);
}

function capstats(c) {
	if (c) nm.capstats.set(c.if || 0, c);
	const body = document.createDocumentFragment();
	for (const [src, v] of [...nm.capstats].sort((a, b) => a[0] - b[0])) {
		const tr = document.createElement('tr');
		const name = nm.sources[src] ? nm.sources[src].name : src;
		for (const x of [name, v.recv, v.drop, v.ifdrop]) {
			const td = document.createElement('td');
			td.textContent = x === undefined ? '-' : x;
			tr.appendChild(td);
		}
		body.appendChild(tr);
	}
	$('capture').tBodies[0].replaceChildren(body);
	if (!nm.stats || !nm.stats.capture) {
		let d = 0;
		for (const v of nm.capstats.values())
			d += (v.drop || 0) + (v.ifdrop || 0);
		$('drops').textContent = d;
	}
}

function alert(a) {
	const li = document.createElement('li');
	const t = document.createElement('time');
	t.textContent = a.ts ? clock(a.ts / 1e6) : '';
	li.appendChild(t);
	li.appendChild(document.createTextNode(
	    a.msg || a.kind || 'alert'));
	li.title = [a.kind, a.style, a.severity].filter(Boolean).join(' ');
	const ol = $('alerts');
	ol.insertBefore(li, ol.firstChild);
	while (ol.children.length > ALERTS) ol.lastChild.remove();
	nm.alerts++;
	$('nalerts').textContent = nm.alerts;
}

function status(text, cls) {
	const s = $('status');
	s.textContent = text;
	s.className = 'status ' + cls;
}

/* --- the stream --- */

function on(name, f) {
	return (ev) => {
		nm.events++;
		$('nevents').textContent = nm.events;
		f(JSON.parse(ev.data));
	};
}

function start() {
	$('top').tHead.addEventListener('click', onHead);
	$('tab-hosts').addEventListener('click', () => view('hosts'));
	$('tab-flows').addEventListener('click', () => view('flows'));
	$('tab-servers').addEventListener('click', () => view('servers'));
	view('hosts');
	redraw();
	const es = new EventSource('/events');
	es.addEventListener('state', on('state', (s) => {
		nm.points = s.history || [];
		nm.alerts = 0;
		$('alerts').replaceChildren();
		for (const a of s.alerts || []) alert(a);
		header(s.header);
		for (const c of s.capstats || []) capstats(c);
		if (s.stats) stats(s.stats);
		if (nm.points.length) addPoint(nm.points.pop());
		$('wdropped').textContent = s.dropped || 0;
		redraw();
		status(s.end ? 'stream ended' : 'live', s.end ? 'ended' : 'live');
	}));
	es.addEventListener('point', on('point', (p) => {
		addPoint(p);
		redraw();
	}));
	es.addEventListener('stats', on('stats', stats));
	es.addEventListener('alert', on('alert', alert));
	es.addEventListener('capstats', on('capstats', capstats));
	es.addEventListener('header', on('header', header));
	es.addEventListener('end', on('end', () => {
		status('stream ended', 'ended');
		es.close();
	}));
	es.onerror = () => {
		if (es.readyState !== EventSource.CLOSED)
			status('reconnecting', 'lost');
	};
}

document.addEventListener('DOMContentLoaded', start);
