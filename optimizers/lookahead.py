"""Lookahead (Zhang et al. 2019) around any inner optimizer, and Ranger = Lookahead(RAdam).

The inner optimizer moves the fast weights; every k steps the slow weights move a fraction
alpha towards them and the fast weights restart from there (Algorithm 1 of the paper). The
inner optimizer's state is kept across synchronisations, the paper's default. The runner
kernel applies the synchronisation, so Lookahead wraps every rule without a kernel of its own.
"""

from dataclasses import dataclass, field, replace

from parameters import Param

from .recording import StateEntry

K = Param("k", 5, "synchronise every k steps", low=1, high=1000, kind="int", symbol="k", ui=(1, 20))
ALPHA = Param(
    "alpha",
    0.5,
    "slow weights step size",
    low=0.0,
    high=1.0,
    open_low=True,
    symbol=r"\alpha",
    ui=(0.05, 1.0),
)

SLOW_WEIGHTS = StateEntry(
    "slow_weights",
    "phi, the slow weights after this step (they move every k steps, where the fast "
    "weights restart from them)",
    lambda rec: rec.slow,
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


@dataclass(frozen=True)
class Wrapper:
    """Lookahead as a registry entry: the optimizer ``name`` runs Lookahead around the
    optimizer ``wraps``, or around the one the caller picks when ``wraps`` is None.
    ``defaults`` override the inner optimizer's defaults and Lookahead's own (``k``,
    ``alpha``); ``source`` and ``summary`` replace the generated ones when given."""

    name: str
    title: str
    wraps: str | None = None
    defaults: dict = field(default_factory=dict)
    source: str | None = None
    summary: str | None = None

    def around(self, inner):
        """The spec of this wrapper around the spec ``inner``: its controls plus k and alpha."""
        return replace(
            inner,
            name=self.name,
            title=self.title if self.wraps else f"{self.title}({inner.title})",
            hypers=inner.hypers + (K, ALPHA),
            defaults={**inner.defaults, **self.defaults},
            algorithm=_BOX.format(inner=inner.title) + "\n" + inner.algorithm,
            source=self.source
            or f"Lookahead (Zhang et al. 2019, Algorithm 1) around {inner.source}",
            summary=self.summary
            or f"{inner.title} as the fast explorer; the slow weights average "
            "its last k steps, which damps its oscillations.",
            wraps=inner.name,
            state=inner.state + (SLOW_WEIGHTS,),
        )


LOOKAHEAD = Wrapper("lookahead", "Lookahead")
RANGER = Wrapper(
    "ranger",
    "Ranger",
    wraps="radam",
    defaults={"betas": (0.95, 0.999), "eps": 1e-5, "k": 6},
    source="Ranger (Wright 2019): RAdam (torch.optim.RAdam) inside Lookahead "
    "(Zhang et al. 2019), with Ranger's defaults",
    summary="RAdam's warmup-free adaptivity plus Lookahead's averaging: steady and hard to derail.",
)
