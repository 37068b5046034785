/* certhall: the large-font, high-contrast mode every page offers older users (GB/T 37668-2019,
 * MIIT's 2021 age-friendly rules): a switch in the header, remembered in localStorage. Loaded
 * without defer, so the page is drawn in the chosen size from the first paint. */
(function () {
  'use strict';
  var KEY = 'certhall-large';
  var root = document.documentElement;

  function stored() {
    try { return window.localStorage.getItem(KEY) === '1'; } catch (e) { return false; }
  }

  function store(on) {
    try { window.localStorage.setItem(KEY, on ? '1' : '0'); } catch (e) { /* private mode */ }
  }

  root.classList.toggle('large', stored());

  document.addEventListener('DOMContentLoaded', function () {
    // Beside the main links, where it is seen first and keeps the header on one row.
    var bar = document.querySelector('.site-header .site-nav') || document.querySelector('.site-header .wrap');
    if (!bar) return;
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'link-button large-toggle';
    b.id = 'large-toggle';
    b.textContent = '大字模式';
    function draw() {
      var on = root.classList.contains('large');
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
      b.title = on ? '再次点击恢复标准字号和配色' : '放大字号并提高对比度';
    }
    b.addEventListener('click', function () {
      var on = !root.classList.contains('large');
      root.classList.toggle('large', on);
      store(on);
      draw();
    });
    draw();
    bar.appendChild(b);
  });
}());
