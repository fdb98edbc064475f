"""报到 (Baodao): the platform for 在职党员进社区 / 双报到."""
