"""The server-rendered pages, one module per area. Views parse input, call one service and render."""
