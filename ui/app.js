// Citation links ("#tqa-c<doc>-<start>-<end>", "#tqa-t<doc>-<turn>") scroll the transcript
// panel to the cited characters and highlight exactly them. One capturing listener on the
// document, so it works for every chat message Gradio renders later.
(() => {
  if (window.__tqaLinks) return;
  window.__tqaLinks = true;

  function clearActive() {
    document.querySelectorAll(".tqa-active").forEach((el) => el.classList.remove("tqa-active"));
  }

  // Scroll the transcript panel (not the page) so the target sits in its upper third;
  // bring the panel itself into view only when it is off screen (narrow layouts).
  function reveal(target) {
    const panel = target.closest(".tqa-transcript");
    if (!panel) {
      target.scrollIntoView({ behavior: "smooth", block: "center" });
      return;
    }
    const box = panel.getBoundingClientRect();
    if (box.bottom < 0 || box.top > window.innerHeight) {
      panel.scrollIntoView({ behavior: "smooth", block: "nearest" });
    }
    const offset = target.getBoundingClientRect().top - box.top - panel.clientHeight / 3;
    panel.scrollBy({ top: offset, behavior: "smooth" });
    // on a narrow screen the panel sits below the chat: bring the words themselves on screen
    setTimeout(() => {
      const r = target.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) {
        target.scrollIntoView({ behavior: "auto", block: "center" });
      }
    }, 450);
  }

  function show(id) {
    const anchor = document.getElementById(id);
    if (!anchor) return false;
    clearActive();
    let target = anchor;
    if (id.startsWith("tqa-c")) {
      const marks = document.querySelectorAll(`mark[data-cites~="${CSS.escape(id)}"]`);
      marks.forEach((m) => m.classList.add("tqa-active"));
      if (marks.length) target = marks[0];
    } else {
      anchor.classList.add("tqa-active");
    }
    reveal(target);
    return true;
  }

  // After an answer: show its first quote in the transcript (the panel may still be
  // re-rendering, so try for a moment).
  window.tqaShowLatest = (tries = 20) => {
    const bots = document.querySelectorAll('[data-testid="bot"]');
    const last = bots.length ? bots[bots.length - 1] : null;
    const link = last ? last.querySelector('a[href*="#tqa-c"]') : null;
    if (!link) return;
    const id = decodeURIComponent(link.getAttribute("href").split("#").pop() || "");
    if (!show(id) && tries > 0) setTimeout(() => window.tqaShowLatest(tries - 1), 100);
  };

  document.addEventListener(
    "click",
    (event) => {
      const link = event.target && event.target.closest
        ? event.target.closest('a[href*="#tqa-"]')
        : null;
      if (!link) return;
      event.preventDefault();
      event.stopPropagation();
      const id = decodeURIComponent(link.getAttribute("href").split("#").pop() || "");
      if (!show(id)) {
        link.title = "This passage is in a transcript that is not shown now; ask again to show it.";
      }
    },
    true,
  );

  // A turn's time in the transcript panel plays the panel's recording from that moment
  // (the link itself opens the recording in a new tab where there is no player).
  document.addEventListener(
    "click",
    (event) => {
      const seek = event.target && event.target.closest ? event.target.closest("a.tqa-seek") : null;
      const doc = seek ? seek.closest(".tqa-doc") : null;
      const media = doc ? doc.querySelector(".tqa-player") : null;
      if (!media) return;
      event.preventDefault();
      event.stopPropagation();
      media.currentTime = parseFloat(seek.dataset.t || "0");
      const playing = media.play();
      if (playing && playing.catch) playing.catch(() => {});
    },
    true,
  );
})();
