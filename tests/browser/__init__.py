"""Browser tests: real JupyterLab in headless Chromium."""
