from django.http import HttpRequest


def store(request: HttpRequest) -> dict[str, object]:
    return {"store": getattr(request, "store", None)}
