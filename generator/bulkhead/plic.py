"""The PLIC layout facts every part shares: where each context's
threshold/claim page is and which contexts a capsule owns (the supervisor
contexts of its vCPUs' harts)."""


PLIC_CONTEXT_AREA = 0x200000  # threshold/claim page of context N at +0x200000 + 0x1000 * N
PLIC_CONTEXT_PAGE = 0x1000


def plic_context_page(plic, context):
    """(base, size) of a PLIC context's threshold/claim page."""
    return plic.base + PLIC_CONTEXT_AREA + PLIC_CONTEXT_PAGE * context, PLIC_CONTEXT_PAGE


def capsule_contexts(board, capsule):
    """The supervisor PLIC context of each vCPU's hart (None: it has none)."""
    return [board.supervisor_context(hart) for hart in capsule.harts]


def plic_pages(board, capsule):
    """(context, vCPU, base, size) of each PLIC context page the capsule
    owns: the supervisor contexts of its vCPUs' harts, by context."""
    pages = [(context, vcpu) + plic_context_page(board.plic, context)
             for vcpu, context in enumerate(capsule_contexts(board, capsule))
             if context is not None]
    return sorted(pages)
