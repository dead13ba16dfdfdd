"use strict";
// The boundaries page: controls send settings; updates from the server are drawn.

(() => {
  const P = Playground;
  let settings = null;
  let playing = false;
  let data = null;
  let latest = null;
  let drawing = false;
  let history = { epochs: [], train: [], test: [] };

  const server = P.connect("/ws/boundaries", {
    state(message) {
      settings = message.settings;
      playing = message.playing;
      showSettings();
    },
    data(message) {
      data = message;
      drawPoints();
    },
    update(message) {
      if (message.epoch === 0 || (history.epochs.length && message.epoch < history.epochs.at(-1))) {
        history = { epochs: [], train: [], test: [] };
      }
      if (!history.epochs.length || message.epoch !== history.epochs.at(-1)) {
        history.epochs.push(message.epoch);
        history.train.push(message.train_loss);
        history.test.push(message.test_loss);
        if (history.epochs.length > 2000) {
          for (const key of ["epochs", "train", "test"]) {
            history[key] = history[key].filter((_, i) => i % 2 === 0);
          }
        }
      }
      latest = message;
      if (!drawing) {
        drawing = true;
        requestAnimationFrame(() => {
          drawing = false;
          drawUpdate(latest);
        });
      }
    },
  });

  function showSettings() {
    for (const element of document.querySelectorAll("[data-setting]")) {
      if (document.activeElement !== element) element.value = settings[element.dataset.setting];
    }
    document.getElementById("play").textContent = playing ? "❚❚ pause" : "▶ play";
    document.getElementById("layer-count").textContent = settings.hidden.length;
  }

  function send(changes) {
    P.clearMessage();
    server.send({ type: "settings", settings: changes });
  }

  for (const element of document.querySelectorAll("[data-setting]")) {
    element.addEventListener("change", () => {
      const raw = element.value;
      const numeric = element.type === "number" && raw !== "" ? Number(raw) : raw;
      send({ [element.dataset.setting]: numeric });
    });
  }
  document.getElementById("play").addEventListener("click", () => {
    P.clearMessage();
    server.send({ type: playing ? "pause" : "play" });
  });
  document.getElementById("step").addEventListener("click", () => server.send({ type: "step" }));
  document.getElementById("reset").addEventListener("click", () => server.send({ type: "reset" }));
  document.getElementById("layer-more").addEventListener("click", () => {
    send({ hidden: [...settings.hidden, 2] });
  });
  document.getElementById("layer-less").addEventListener("click", () => {
    send({ hidden: settings.hidden.slice(0, -1) });
  });
  document.getElementById("show-test").addEventListener("change", drawPoints);

  // ---- network diagram ----
  const network = document.getElementById("network");
  const SVG = "http://www.w3.org/2000/svg";
  let layout = null; // {key, columns: [[{x, y}]], canvases: [[canvas]], lines: [[[line]]]}

  function buildNetwork(message) {
    const sizes = [2, ...message.neurons.map((layer) => layer.length), 1];
    const key = sizes.join("-");
    if (layout && layout.key === key) return;
    network.textContent = "";
    const width = network.clientWidth;
    const height = 400;
    const gap = width / sizes.length;
    const columns = sizes.map((count, c) =>
      Array.from({ length: count }, (_, i) => ({
        x: gap * (c + 0.5),
        y: 40 + (i + 0.5) * ((height - 60) / Math.max(...sizes)),
      })),
    );
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    network.appendChild(svg);
    const lines = [];
    for (let c = 0; c + 1 < columns.length; c++) {
      lines.push(
        columns[c + 1].map((to) =>
          columns[c].map((from) => {
            const line = document.createElementNS(SVG, "line");
            line.setAttribute("x1", from.x + 20);
            line.setAttribute("y1", from.y);
            line.setAttribute("x2", to.x - 20);
            line.setAttribute("y2", to.y);
            svg.appendChild(line);
            return line;
          }),
        ),
      );
    }
    ["x₁", "x₂"].forEach((name, i) => {
      const node = document.createElement("div");
      node.className = "input-node";
      node.textContent = name;
      node.style.left = `${columns[0][i].x - 20}px`;
      node.style.top = `${columns[0][i].y - 20}px`;
      network.appendChild(node);
    });
    const canvases = [];
    for (let c = 1; c < columns.length; c++) {
      const isOutput = c === columns.length - 1;
      canvases.push(
        columns[c].map((point) => {
          const canvas = document.createElement("canvas");
          canvas.className = "neuron";
          canvas.width = 40;
          canvas.height = 40;
          canvas.style.left = `${point.x - 20}px`;
          canvas.style.top = `${point.y - 20}px`;
          network.appendChild(canvas);
          return canvas;
        }),
      );
      if (!isOutput) addLayerButtons(c - 1, columns[c][0].x);
      const label = document.createElement("div");
      label.className = "layer-label";
      label.style.left = `${columns[c][0].x - 30}px`;
      label.style.top = `${isOutput ? 0 : 22}px`;
      label.textContent = isOutput ? "output" : `${sizes[c]} neurons`;
      network.appendChild(label);
    }
    layout = { key, lines, canvases };
  }

  function addLayerButtons(layer, x) {
    const box = document.createElement("div");
    box.className = "layer-buttons";
    box.style.left = `${x - 22}px`;
    box.style.top = "0px";
    for (const [text, change] of [["−", -1], ["+", 1]]) {
      const button = document.createElement("button");
      button.className = "small";
      button.textContent = text;
      button.title = change > 0 ? "one neuron more" : "one neuron less";
      button.addEventListener("click", () => {
        const hidden = [...settings.hidden];
        hidden[layer] += change;
        send({ hidden });
      });
      box.appendChild(button);
    }
    network.appendChild(box);
  }

  function drawUpdate(message) {
    buildNetwork(message);
    const grid = message.grid;
    message.neurons.forEach((layer, l) =>
      layer.forEach((neuron, n) => P.paint(layout.canvases[l][n], neuron.bytes, grid, grid, P.diverging)),
    );
    P.paint(layout.canvases.at(-1)[0], message.surface, grid, grid, P.diverging);
    P.paint(document.getElementById("surface"), message.surface, grid, grid, P.diverging);
    let largest = 1e-9;
    for (const matrix of message.weights) for (const row of matrix) for (const w of row) largest = Math.max(largest, Math.abs(w ?? 0));
    message.weights.forEach((matrix, l) =>
      matrix.forEach((row, j) =>
        row.forEach((w, i) => {
          const line = layout.lines[l][j][i];
          const size = Math.abs(w ?? 0) / largest;
          line.setAttribute("stroke", (w ?? 0) >= 0 ? "#0877bd" : "#f59322");
          line.setAttribute("stroke-width", (0.5 + 5 * size).toFixed(2));
          line.setAttribute("stroke-opacity", (0.25 + 0.75 * size).toFixed(2));
          line.dataset.weight = w;
        }),
      ),
    );
    document.getElementById("epoch").textContent = message.epoch;
    document.getElementById("train-loss").textContent = P.format(message.train_loss);
    document.getElementById("test-loss").textContent = P.format(message.test_loss);
    const percent = (value) => (value === null ? "–" : `${(100 * value).toFixed(1)}%`);
    document.getElementById("train-accuracy").textContent = percent(message.train_accuracy);
    document.getElementById("test-accuracy").textContent = percent(message.test_accuracy);
    drawChart();
  }

  function drawPoints() {
    if (!data) return;
    const canvas = document.getElementById("points-layer");
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    const scale = canvas.width / (2 * data.extent);
    const dot = (point, label, test) => {
      context.beginPath();
      context.arc((point[0] + data.extent) * scale, (data.extent - point[1]) * scale, 3.2, 0, 2 * Math.PI);
      context.fillStyle = label ? "#0877bd" : "#f59322";
      context.fill();
      context.lineWidth = test ? 1.6 : 0.8;
      context.strokeStyle = test ? "#000" : "#fff";
      context.stroke();
    };
    data.train.forEach((point, i) => dot(point, data.train_labels[i], false));
    if (document.getElementById("show-test").checked) {
      data.test.forEach((point, i) => dot(point, data.test_labels[i], true));
    }
  }

  function drawChart() {
    const canvas = document.getElementById("loss-chart");
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.strokeStyle = "#ccc";
    context.strokeRect(0.5, 0.5, canvas.width - 1, canvas.height - 1);
    const values = [...history.train, ...history.test].filter((v) => v !== null);
    if (history.epochs.length < 2 || !values.length) return;
    const top = Math.max(...values) || 1;
    const first = history.epochs[0];
    const span = history.epochs.at(-1) - first || 1;
    for (const [series, colour] of [[history.train, "#0877bd"], [history.test, "#222"]]) {
      context.beginPath();
      context.strokeStyle = colour;
      series.forEach((value, i) => {
        if (value === null) return;
        const x = 2 + ((history.epochs[i] - first) / span) * (canvas.width - 4);
        const y = canvas.height - 4 - (value / top) * (canvas.height - 10);
        if (i === 0) context.moveTo(x, y);
        else context.lineTo(x, y);
      });
      context.stroke();
    }
    context.fillStyle = "#59636e";
    context.font = "10px sans-serif";
    context.fillText(`max ${top.toFixed(3)}`, 6, 12);
  }
})();
