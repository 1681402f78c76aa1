"""Answers to exercise 00's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

ANSWERS = {
    "00.q1": [
        honest("return celsius * 1.8 + 32", "multiplies by 1.8"),
        honest("return (celsius * 9) / 5 + 32", "another order of operations"),
        honest("return np.add(np.multiply(celsius, 9 / 5), 32)", "NumPy functions"),
        wrong("return celsius * 9 // 5 + 32", "integer division", match="wrong|off by"),
        wrong("return (celsius + 32) * 9 / 5", "adds before scaling", match="wrong|off by"),
        wrong("return celsius * 5 / 9 + 32", "the inverse factor", match="wrong|off by"),
    ],
}
