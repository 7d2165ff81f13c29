"""Lookahead (Zhang et al. 2019) around any inner optimizer, and Ranger = Lookahead(RAdam).

The inner optimizer moves the fast weights; every k steps the slow weights move a fraction
alpha towards them and the fast weights restart from there (Algorithm 1 of the paper). The
inner optimizer's state is kept across synchronisations, the paper's default. The runner
kernel applies the synchronisation, so Lookahead wraps every rule without a kernel of its own.
"""

from dataclasses import replace

from .specs import Hyper

K = Hyper("k", 5, "synchronise every k steps", "k", low=1, high=1000, ui=(1, 20), kind="int")
ALPHA = Hyper(
    "alpha",
    0.5,
    "slow weights step size",
    r"\alpha",
    low=0.0,
    high=1.0,
    open_low=True,
    ui=(0.05, 1.0),
)

_BOX = r"""
\begin{{aligned}}
&\textbf{{input: }} \phi_0 \text{{ (slow weights)}},\ k,\ \alpha,\ \text{{inner optimizer }} A \text{{ ({inner})}}\\
&\textbf{{for }} t = 1, 2, \dots \textbf{{ do}}\\
&\quad \theta_{{t,0}} \leftarrow \phi_{{t-1}}\\
&\quad \textbf{{for }} i = 1, \dots, k:\ \theta_{{t,i}} \leftarrow \theta_{{t,i-1}} + A(\nabla f(\theta_{{t,i-1}}))\\
&\quad \phi_t \leftarrow \phi_{{t-1}} + \alpha\,(\theta_{{t,k}} - \phi_{{t-1}})\\
&\textbf{{return }} \phi_t
\end{{aligned}}"""


def wrap(inner, name, title, defaults=None, source=None, summary=None):
    """The spec of Lookahead around the spec ``inner``: its controls plus k and alpha."""
    return replace(
        inner,
        name=name,
        title=title,
        hypers=inner.hypers + (K, ALPHA),
        defaults={**inner.defaults, **(defaults or {})},
        algorithm=_BOX.format(inner=inner.title) + "\n" + inner.algorithm,
        source=source or f"Lookahead (Zhang et al. 2019, Algorithm 1) around {inner.source}",
        summary=summary
        or f"{inner.title} as the fast explorer; the slow weights average "
        "its last k steps, which damps its oscillations.",
        lookahead=True,
    )
