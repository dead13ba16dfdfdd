"use strict";
// The draw-a-digit page: strokes become 28x28 pixels sent to the server; its answers are drawn.

(() => {
  const P = Playground;
  const SIDE = 28;
  const pad = document.getElementById("pad");
  const context = pad.getContext("2d");
  let waiting = false; // an answer is on its way
  let dirty = false; // the drawing changed since the last request
  let last = null;

  const server = P.connect("/ws/digits", {
    models: showModels,
    answer(message) {
      waiting = false;
      showAnswer(message);
      if (dirty) sendDrawing();
    },
  });

  function clearPad() {
    context.fillStyle = "#000";
    context.fillRect(0, 0, pad.width, pad.height);
  }
  clearPad();

  function pixels() {
    const small = document.createElement("canvas");
    small.width = SIDE;
    small.height = SIDE;
    const smallContext = small.getContext("2d");
    smallContext.imageSmoothingEnabled = true;
    smallContext.imageSmoothingQuality = "high";
    smallContext.drawImage(pad, 0, 0, SIDE, SIDE);
    const rgba = smallContext.getImageData(0, 0, SIDE, SIDE).data;
    const values = [];
    for (let i = 0; i < SIDE * SIDE; i++) values.push(Math.round((rgba[i * 4] / 255) * 1000) / 1000);
    return values;
  }

  function sendDrawing() {
    if (waiting) {
      dirty = true;
      return;
    }
    dirty = false;
    waiting = true;
    server.send({ type: "draw", pixels: pixels() });
  }

  function stroke(from, to) {
    context.strokeStyle = "#fff";
    context.lineWidth = 20;
    context.lineCap = "round";
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
  }

  function position(event) {
    const box = pad.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  pad.addEventListener("pointerdown", (event) => {
    pad.setPointerCapture(event.pointerId);
    last = position(event);
    stroke(last, last);
    P.clearMessage();
    sendDrawing();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!last) return;
    const here = position(event);
    stroke(last, here);
    last = here;
    sendDrawing();
  });
  for (const name of ["pointerup", "pointercancel"]) {
    pad.addEventListener(name, () => {
      if (!last) return;
      last = null;
      sendDrawing();
    });
  }

  document.getElementById("clear").addEventListener("click", () => {
    clearPad();
    P.clearMessage();
    sendDrawing();
  });
  document.getElementById("noise").addEventListener("click", () => {
    P.clearMessage();
    server.send({ type: "noise" });
  });
  for (const [id, model] of [["nudge-mlp", "mlp-lecture"], ["nudge-cnn", "cnn"]]) {
    document.getElementById(id).addEventListener("click", () => {
      P.clearMessage();
      server.send({ type: "nudge", model });
    });
  }

  function showModels(message) {
    const names = { "mlp-lecture": "784-16-16-10", cnn: "CNN" };
    const lines = Object.entries(message.status).map(([name, info]) => {
      if (info.state === "ready") {
        return `${names[name]}: ready, ${(100 * info.accuracy).toFixed(1)}% right on MNIST's test digits (${info.origin})`;
      }
      if (info.state === "preparing") {
        const seconds = Math.round(message.now - info.since);
        return `${names[name]}: training in the background on MNIST (${seconds} s so far; the first run caches it)`;
      }
      if (info.state === "failed") return `${names[name]}: could not be prepared: ${info.error}`;
      return `${names[name]}: waiting its turn to be prepared`;
    });
    const box = document.getElementById("models-status");
    box.textContent = "";
    for (const line of lines) {
      const row = document.createElement("div");
      row.textContent = line;
      box.appendChild(row);
    }
    if (message.first_layer) showFirstLayer(message.first_layer);
  }

  function showFirstLayer(firstLayer) {
    const box = document.getElementById("first-layer");
    if (box.children.length) return;
    firstLayer.images.forEach((text) => {
      const canvas = document.createElement("canvas");
      canvas.width = SIDE;
      canvas.height = SIDE;
      box.appendChild(canvas);
      P.paint(canvas, text, SIDE, SIDE, P.diverging, false);
    });
  }

  function cells(id, values) {
    const box = document.getElementById(id);
    if (box.children.length !== values.length) {
      box.textContent = "";
      for (let i = 0; i < values.length; i++) {
        const cell = document.createElement("div");
        cell.className = "cell";
        box.appendChild(cell);
      }
    }
    values.forEach((value, i) => {
      const cell = box.children[i];
      const level = Math.round(255 * (1 - value));
      cell.style.background = `rgb(${level},${level},${level})`;
      cell.style.color = value > 0.5 ? "#fff" : "#000";
      cell.textContent = value.toFixed(2);
    });
  }

  function bars(id, values) {
    const box = document.getElementById(id);
    box.textContent = "";
    const top = values.indexOf(Math.max(...values));
    values.forEach((value, digit) => {
      const name = document.createElement("span");
      name.textContent = digit;
      const track = document.createElement("div");
      const bar = document.createElement("div");
      bar.className = digit === top ? "bar top" : "bar";
      bar.style.width = `${Math.max(0, Math.min(1, value)) * 100}%`;
      track.appendChild(bar);
      const number = document.createElement("span");
      number.textContent = value.toFixed(3);
      box.append(name, track, number);
    });
  }

  function showAnswer(message) {
    P.paint(document.getElementById("seen"), message.input, SIDE, SIDE, P.grey, false);
    const note = document.getElementById("seen-note");
    if (message.source === "noise") note.textContent = "Uniform random noise, drawn by wright.rand.";
    else if (message.source === "nudge") {
      const n = message.nudge;
      note.textContent = `Nudged: every pixel moved by at most ε = ${n.epsilon} (PGD), which turns the ${n.model} network's ${n.before} into ${n.after}.`;
    } else note.textContent = "Your drawing, scaled into a 20x20 box and centred by its centre of mass, as MNIST's digits were.";
    if (message.mlp) {
      document.getElementById("mlp-answer").textContent = message.mlp.answer;
      cells("hidden-0", message.mlp.hidden[0]);
      cells("hidden-1", message.mlp.hidden[1]);
      bars("mlp-outputs", message.mlp.outputs);
      const frames = document.querySelectorAll("#first-layer canvas");
      frames.forEach((canvas, i) => {
        const value = message.mlp.hidden[0][i];
        canvas.style.borderColor = `rgba(24,49,83,${value.toFixed(2)})`;
      });
    }
    if (message.cnn) {
      document.getElementById("cnn-answer").textContent = message.cnn.answer;
      bars("cnn-outputs", message.cnn.outputs);
    }
  }
})();
