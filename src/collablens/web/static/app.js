// collablens: small progressive enhancements. Pages work without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".js-only").forEach((el) => { el.hidden = false; });
  // Review: single keys, read from the page's key map (rendered from the record that
  // `collablens review` prints, text/review_keys.py), never written here. A polarity key
  // only chooses the polarity; accept, a factor, none, skip and quit answer (WCAG 2.1.4:
  // they can be switched off, and act only when no button, link or field has the focus).
  const review = document.getElementById("review-form");
  const keysOn = document.getElementById("review-keys");
  if (review && keysOn && review.dataset.keymap) {
    const map = JSON.parse(review.dataset.keymap);
    try { keysOn.checked = localStorage.getItem("collablens-review-keys") !== "off"; } catch (e) { /* default on */ }
    keysOn.addEventListener("change", () => {
      try { localStorage.setItem("collablens-review-keys", keysOn.checked ? "on" : "off"); } catch (e) { /* not kept */ }
    });
    const press = (el) => { if (el) el.click(); return Boolean(el); };
    const factorButton = (id) => review.querySelector('button[name=factor][value="' + CSS.escape(id) + '"]');
    document.addEventListener("keydown", (ev) => {
      if (!keysOn.checked || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const t = ev.target;
      const onRadio = t && t.tagName === "INPUT" && t.type === "radio";
      if (t && t !== document.body && !onRadio) return;  // a focused control keeps its keys
      if (ev.key === "Enter" && onRadio) return;
      const key = ev.key === "Enter" ? "Enter" : ev.key.toLowerCase();
      let done = false;
      if (Object.prototype.hasOwnProperty.call(map.polarity, key)) {
        const radio = review.querySelector('input[name=polarity][value="' + CSS.escape(map.polarity[key]) + '"]');
        if (radio) { radio.checked = true; done = true; }
      } else if (map.accept.includes(key)) {
        done = press(review.querySelector('[data-review="accept"]'));
      } else if (key === map.none) {
        done = press(factorButton("none"));
      } else if (key === map.skip) {
        done = press(document.querySelector('[data-review="skip"]'));
      } else if (key === map.quit) {
        done = press(document.querySelector('[data-review="quit"]'));
      } else if (Object.prototype.hasOwnProperty.call(map.factors, key)) {
        done = press(factorButton(map.factors[key]));
      }
      if (done) ev.preventDefault();
    });
  }
  // The survey: answers saved on this device as they are given, restored on return.
  const survey = document.getElementById("survey");
  if (survey) {
    const store = "collablens-survey-" + survey.dataset.token;
    const status = document.getElementById("save-status");
    const save = () => {
      const data = {};
      // Not the CSRF token nor the response key: a later visit gets fresh ones.
      new FormData(survey).forEach((v, k) => { if (k !== "csrf" && k !== "key") data[k] = v; });
      try { localStorage.setItem(store, JSON.stringify(data)); return true; } catch (e) { return false; }
    };
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(store) || "null"); } catch (e) { saved = null; }
    const fresh = !document.getElementById("problems");
    if (saved && fresh) {
      Object.entries(saved).forEach(([k, v]) => {
        survey.querySelectorAll('[name="' + CSS.escape(k) + '"]').forEach((el) => {
          if (el.type === "radio") el.checked = el.value === v;
          else el.value = v;
        });
      });
      if (status) status.textContent = "Your saved answers are back. Carry on where you left off.";
    }
    // The draft stays until the thank-you page says the answers are in: a refused or lost
    // submission loses nothing.
    const afresh = document.getElementById("start-afresh");
    if (afresh) afresh.addEventListener("click", () => {
      if (!window.confirm("Clear all your answers from this page and this device?")) return;
      try { localStorage.removeItem(store); } catch (e) { /* none */ }
      survey.reset();
      survey.querySelectorAll("input[type=radio]").forEach((el) => { el.checked = false; });
      survey.querySelectorAll("textarea, select, input[type=text]").forEach((el) => { el.value = ""; });
      if (status) status.textContent = "Your answers are cleared from this device.";
    });
    survey.addEventListener("change", save);
    survey.addEventListener("input", save);
    const later = document.getElementById("save-later");
    if (later) later.addEventListener("click", () => {
      if (status) status.textContent = save()
        ? "Saved on this device. Open the same link here to finish."
        : "This browser will not save answers; please finish now.";
    });
  }
  const thanks = document.getElementById("thanks");
  if (thanks) { try { localStorage.removeItem("collablens-survey-" + thanks.dataset.token); } catch (e) { /* nothing saved */ } }
  // Interactive charts (Chart.js, vendored): the dashboard's scores and trend.
  if (window.Chart) {
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const data = JSON.parse(canvas.dataset.chart);
      const scale = { min: data.scale[0], max: data.scale[1] };
      if (canvas.dataset.kind === "scores") {
        const rows = data.scores.filter((r) => r.mean !== null);
        new window.Chart(canvas, {
          type: "bar",
          data: {
            labels: rows.map((r) => r.name),
            datasets: [
              { label: "Score", data: rows.map((r) => [r.mean - 0.012, r.mean + 0.012]),
                backgroundColor: "#1f2d3a", grouped: false, barPercentage: 0.9 },
              { label: "Where the true score is likely to be", data: rows.map((r) => [r.low, r.high]), grouped: false,
                barPercentage: 0.6,
                // 3:1 and more against white and against the score's mark (WCAG 1.4.11).
                backgroundColor: rows.map((r) => r.kind === "inhibitor" ? "#a57cc0" : "#5a96cc") },
            ],
          },
          options: {
            indexAxis: "y", maintainAspectRatio: false, animation: false,
            scales: { x: { ...scale, title: { display: true, text: "Score (higher is better)" } } },
            plugins: { tooltip: { filter: (item) => item.datasetIndex === 0, callbacks: { label: (ctx) => {
              const r = rows[ctx.dataIndex];
              return `${r.mean.toFixed(2)}, likely between ${r.low.toFixed(2)} and ${r.high.toFixed(2)}; ${r.n} people answered; ${r.band}`;
            } } } },
          },
        });
      } else if (canvas.dataset.kind === "trend" && data.trend) {
        // Ten colours of 3:1 and more against white, and a marker shape each as well (and,
        // past the eighth, a dashed line), so a factor's line is told from the next without
        // its colour (WCAG 1.4.1, 1.4.11).
        const palette = ["#1f77b4", "#8e44ad", "#c0392b", "#1b7f4b", "#b35c00", "#2c3e50", "#6b7580", "#0f7a66", "#a04000", "#7a4f9a"];
        const shapes = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "rectRounded", "cross"];
        new window.Chart(canvas, {
          type: "line",
          data: {
            labels: data.trend.waves,
            datasets: data.trend.series.map((s, i) => ({
              label: s.name, data: s.values, spanGaps: false,
              borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
              pointStyle: shapes[i % shapes.length], pointRadius: 5, borderDash: i >= shapes.length ? [6, 3] : [],
            })),
          },
          options: { maintainAspectRatio: false, animation: false, scales: { y: scale },
            plugins: { legend: { labels: { usePointStyle: true } } } },  // the key shows each shape
        });
      }
    });
  }
  // Copy-on-focus for survey links.
  document.querySelectorAll("input.copy").forEach((el) => el.addEventListener("focus", () => el.select()));
});
