"""The page's script that makes the charts follow the step the race shows, in the browser
(no server run per step): growing paths and the metric panels' step cursor.

The race plays and scrubs through Plotly frames that move only the heads (the full paths
go once, in their traces: frames that re-send growing lines would be quadratic in the
steps). The step a frame shows is its name.

- **Growing paths** (``View.paths`` "grow"): the path traces marked ``figures.GROWING``
  hold the whole paths. The script keeps them (decoded once per drawn figure, on the
  trace object) and makes every frame of the chart carry those traces cut to the frame's
  step: each frame's ``data`` is a getter that returns the heads and views
  (``subarray``, no copy) of the paths' first ``step + 1`` points. Plotly then draws the
  cut paths with the heads in the same frame, without a redraw. (``Plotly.restyle`` of
  the paths at every frame redraws the whole chart, the contour and its 3,700 click
  targets: 0.6 s a call, measured.) A freshly drawn figure (a rerun) is cut at once to
  the scrubber's step.
- **Step cursor**: each metric panel's line named ``figures.STEP_CURSOR`` is moved to the
  step, at most once per animation frame of the browser: its x set in the chart's layout
  and its drawn line moved (``Plotly.relayout`` of a shape recalculates the whole chart:
  about 100 ms a call with the four log panels, measured, which stalls the race).

- **The data beside the race** (a surface made from data, ``viz.data_figure``): once the
  race plays or is scrubbed, the data chart (its layout's ``meta`` is ``DATA_CHART``)
  shows the model at the last of its own frames not after the race's step. Until then
  it shows the final model, as the race shows the whole paths. Its own slider still
  works; the race's next frame takes it back.

The step is also announced as a ``gradscape:step`` event on ``document`` (``detail``:
``{step}``), for any other view that follows the race.

Plotly's listeners are bound to every chart the page draws, found by a MutationObserver;
a chart drawn again after a purge gets a new event emitter (``gd._ev``) and is bound
again. The frames are also made to grow before a press reaches Plotly (capture phase), so
that a PLAY pressed right after a redraw already plays growing paths.
"""

from viz import figures as F
from viz.data_figure import DATA_CHART

STEP_SCRIPT = """<script>
if (!window.gradscapeStepScript) {
    window.gradscapeStepScript = true;
    const GROWING = "__GROWING__", CURSOR = "__CURSOR__", DATA = "__DATA__";
    const SEEK = {mode: "immediate", frame: {duration: 0, redraw: false},
                  transition: {duration: 0}};
    const charts = () => [...document.querySelectorAll(".js-plotly-plot")];
    const frames = (gd) => (gd._transitionData && gd._transitionData._frames) || [];
    const isRace = (gd) => !!(gd.layout && gd.layout.images && gd.layout.images.length
                              && frames(gd).length);
    const growing = (gd) => (gd.data || []).map((t, i) => t.meta === GROWING ? i : -1)
                                           .filter((i) => i >= 0);
    const isData = (gd) => !!(gd.layout && gd.layout.meta === DATA);
    let shown = 0;  // the step the race shows
    let moved = false;  // the race played or was scrubbed since it was drawn

    // a typed array from Plotly's base64 form ({dtype, bdata}), or the array itself
    const KINDS = {f4: Float32Array, f8: Float64Array};
    const decoded = (v) => {
        if (!v || Array.isArray(v) || ArrayBuffer.isView(v)) return v;
        const bytes = Uint8Array.from(atob(v.bdata), (c) => c.charCodeAt(0));
        return new KINDS[v.dtype](bytes.buffer);
    };
    // the whole path of trace i, kept on the trace object the server's figure made
    const whole = (gd, i) => {
        const trace = gd.data[i];
        if (!trace.gsWhole) {
            Object.defineProperty(trace, "gsWhole", {
                value: {x: decoded(trace.x), y: decoded(trace.y)}, enumerable: false,
            });
        }
        return trace.gsWhole;
    };
    const cut = (gd, i, points) => {
        const path = whole(gd, i), n = Math.min(points, path.x.length);
        return {x: path.x.subarray(0, n), y: path.y.subarray(0, n)};
    };
    // every frame carries the growing paths cut to its step; true if it had to be done
    const grow = (gd) => {
        const paths = growing(gd), all = frames(gd);
        if (!paths.length || !all.length || all[0].gsGrow) return false;
        for (const i of paths) whole(gd, i);
        for (const frame of all) {
            const heads = frame.data, traces = frame.traces, points = Number(frame.name) + 1;
            Object.defineProperty(frame, "gsGrow", {value: true});
            Object.defineProperty(frame, "traces", {
                value: traces.concat(paths), writable: true, configurable: true,
            });
            Object.defineProperty(frame, "data", {
                get: () => heads.concat(paths.map((i) => cut(gd, i, points))),
                configurable: true,
            });
        }
        return true;
    };
    // the frame shown: the last one animated, or (after a redraw) the scrubber's
    const currentStep = (gd) => {
        const frame = gd._fullLayout._currentFrame;
        if (frame !== undefined && frame !== null) return Number(frame);
        const slider = (gd._fullLayout.sliders || [])[0];
        const stop = slider && slider.steps[slider.active || 0];
        return stop ? Number(stop.label) : 0;
    };

    let wanted = null;
    const placeCursors = () => {
        wanted = null;
        for (const gd of charts()) {
            if (isData(gd)) follow(gd);
            else placeCursor(gd);
        }
    };
    // the data chart at its last frame not after the race's step (frames in step order)
    const follow = (gd) => {
        const all = frames(gd);
        if (!moved || !all.length) return;
        let name = all[0].name;
        for (const frame of all) if (Number(frame.name) <= shown) name = frame.name;
        if (gd.gsFollowed === name) return;
        gd.gsFollowed = name;
        Plotly.animate(gd, [name], SEEK).catch(() => {});
    };
    // A cursor is moved by hand: Plotly.relayout of a shape's x recalculates and redraws
    // the whole chart (about 100 ms with four log panels, measured), which would stall
    // the race. Its value is set in the layout and in Plotly's full layout (a later
    // redraw, a zoom or a resize, draws it there) and its drawn line is moved to it.
    const placeCursor = (gd) => {
        const full = gd._fullLayout;
        if (!gd.layout || !full || !full.shapes) return;
        (gd.layout.shapes || []).forEach((shape, i) => {
            const drawn = full.shapes[i];
            if (shape.name !== CURSOR || !drawn || drawn.x0 === shown) return;
            shape.x0 = shape.x1 = drawn.x0 = drawn.x1 = shown;
            const line = gd.querySelector(`.shapelayer path[data-index="${i}"]`);
            const xa = full[drawn.xref.replace("x", "xaxis")];
            const ya = full[drawn.yref.split(" ")[0].replace("y", "yaxis")];
            if (!line || !xa || !ya || !xa.c2p) return;
            const x = xa._offset + xa.c2p(shown);
            line.setAttribute("d", `M${x},${ya._offset + ya._length}L${x},${ya._offset}`);
        });
    };
    const show = (step) => {
        if (!Number.isFinite(step)) return;
        shown = step;
        document.dispatchEvent(new CustomEvent("gradscape:step", {detail: {step}}));
        if (wanted === null) wanted = requestAnimationFrame(placeCursors);
    };

    // after a (re)draw: a race's paths made to grow and cut to the scrubber's step
    const sync = (gd) => {
        if (isData(gd)) return;
        if (!isRace(gd)) return placeCursor(gd);
        moved = false;
        const step = currentStep(gd);
        if (grow(gd)) {
            setTimeout(() => Plotly.animate(gd, [String(step)], SEEK).catch(() => {}), 0);
        }
        show(step);
    };
    const bind = (gd) => {
        if (!gd._ev || gd.gsBoundTo === gd._ev || typeof gd.on !== "function") return;
        gd.gsBoundTo = gd._ev;
        gd.on("plotly_afterplot", () => sync(gd));
        gd.on("plotly_animatingframe", (event) => {
            if (isData(gd)) {
                gd.gsFollowed = event.name;  // its own slider moved it
                return;
            }
            moved = true;
            show(Number(event.name));
        });
        if (gd._fullLayout) sync(gd);
    };
    const bindAll = () => charts().forEach(bind);
    let looking = false;
    new MutationObserver(() => {
        if (looking) return;
        looking = true;
        requestAnimationFrame(() => { looking = false; bindAll(); });
    }).observe(document.body, {childList: true, subtree: true});
    const beforePlotly = (event) => {
        const gd = event.target.closest && event.target.closest(".js-plotly-plot");
        if (gd && gd._fullLayout && isRace(gd)) { bind(gd); grow(gd); }
    };
    document.addEventListener("mousedown", beforePlotly, {capture: true});
    document.addEventListener("touchstart", beforePlotly, {capture: true, passive: true});
    bindAll();
}
</script>"""
STEP_SCRIPT = (
    STEP_SCRIPT.replace("__GROWING__", F.GROWING)
    .replace("__CURSOR__", F.STEP_CURSOR)
    .replace("__DATA__", DATA_CHART)
)
