// Loaded between require.js and the widget manager's embed bundle (nb_ipywidgets_js in
// jupyter-book.yml), so that widget snapshots render from the book's own files.
(function () {
  // The embed bundle's modules (@jupyter-widgets/base, controls, html-manager) find their Font
  // Awesome files next to the URL that require.js gives each module; without these mappings that
  // URL is relative to the page, not to _static/jupyter-widgets/.
  var folder = new URL("jupyter-widgets", document.currentScript.src).href;
  require.config({
    paths: {"@jupyter-widgets/html-manager/dist": folder, "@jupyter-widgets": folder},
  });
  // The widgets typeset labels with MathJax 2's MathJax.Hub.Queue; the book has MathJax 3, which
  // has no Hub (an uncaught TypeError on every page with a labelled widget). Give it one.
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.MathJax || window.MathJax.Hub) return;
    window.MathJax.Hub = {
      Queue: function (command) {
        var element = Array.isArray(command) ? command[2] : undefined;
        var mj = window.MathJax;
        if (!element || !mj.startup || !mj.startup.promise) return;
        mj.startup.promise.then(function () { return mj.typesetPromise([element]); });
      },
    };
  });
})();
