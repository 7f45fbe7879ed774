// A hand-written federated "extension" with no plugins, copied into .venv by the Makefile (install
// rule). jupyterlab-rise's slideshow app (0.43.1) does not
// share @jupyterlab/console, which the ipywidgets 8 manager (@jupyter-widgets/jupyterlab-manager)
// imports for its optional IConsoleTracker: the manager then fails to load and every widget on a
// slide shows as text (jupyterlab-contrib/rise#119). Where the host shares no @jupyterlab/console
// (RISE; never JupyterLab itself, whose own module is registered before any extension's), this
// registers a module with just that token; RISE has no console, so the optional service is absent.
var _JUPYTERLAB;
(_JUPYTERLAB = typeof _JUPYTERLAB === "undefined" ? {} : _JUPYTERLAB)["astrolab-rise-widgets"] = (function () {
  var KEY = "@jupyterlab/console";
  var VERSION = "4.0.0-astrolab.0";

  function console_module(scope) {
    var versions = Object.keys(scope["@lumino/coreutils"] || {});
    if (!versions.length) {
      return Promise.reject(new Error("astrolab-rise-widgets: no @lumino/coreutils in the share scope"));
    }
    return Promise.resolve(scope["@lumino/coreutils"][versions[0]].get()).then(function (factory) {
      var Token = factory().Token;
      var module = {IConsoleTracker: new Token("@jupyterlab/console:IConsoleTracker")};
      return function () { return module; };
    });
  }

  return {
    get: function (name) {
      if (name !== "./extension") return Promise.reject(new Error("astrolab-rise-widgets has no " + name));
      return Promise.resolve(function () { return {__esModule: true, default: []}; });
    },
    init: function (scope) {
      if (scope[KEY] && Object.keys(scope[KEY]).length) return Promise.resolve();
      scope[KEY] = scope[KEY] || {};
      scope[KEY][VERSION] = {
        get: function () { return console_module(scope); },
        from: "astrolab-rise-widgets",
        eager: false
      };
      return Promise.resolve();
    }
  };
})();
