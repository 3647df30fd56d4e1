"""What the store sells: a fixed catalogue (SKU, name, unit price, sizes), the products an item can be swapped for.

The demo orders (backend/seed.py) are drawn from it; a few products share a price with another one so that a
swap is possible. Prices are in cents, in CATALOGUE_CURRENCY.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

CATALOGUE_CURRENCY = "USD"
GARMENT_SIZES = ("XS", "S", "M", "L", "XL")
SHOE_SIZES = tuple(str(size) for size in range(36, 48))


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    unit_price_cents: int
    sizes: Tuple[str, ...] = ()  # empty: sold in one size


PRODUCTS: Tuple[Product, ...] = (
    Product("SKU-HP-01", "Wireless headphones", 5990),
    Product("SKU-MUG-02", "Ceramic mug", 1250),
    Product("SKU-LAMP-03", "Desk lamp", 3400),
    Product("SKU-BAG-04", "Canvas tote bag", 1800),
    Product("SKU-KB-05", "Mechanical keyboard", 8900),
    Product("SKU-TEE-06", "Cotton T-shirt", 1500, GARMENT_SIZES),
    Product("SKU-BOOT-07", "Hiking boots", 12900, SHOE_SIZES),
    Product("SKU-SOCK-08", "Wool socks (3 pack)", 2100, ("S", "M", "L")),
    Product("SKU-TENT-09", "Two-person tent", 19900),
    Product("SKU-CAP-10", "Running cap", 1500, ("S", "M", "L")),
    Product("SKU-BOTTLE-11", "Steel bottle", 1900),
    Product("SKU-PAN-12", "Frying pan", 4500),
    Product("SKU-KNIFE-13", "Chef's knife", 6900),
    Product("SKU-BOARD-14", "Cutting board", 2500),
    Product("SKU-APRON-15", "Linen apron", 2200, ("S", "M", "L")),
    # Alternatives at the same price as a product above.
    Product("SKU-TEE-16", "Linen T-shirt", 1500, GARMENT_SIZES),
    Product("SKU-BOOT-17", "Trail running shoes", 12900, SHOE_SIZES),
    Product("SKU-LAMP-18", "Clip-on desk lamp", 3400),
    Product("SKU-BOARD-19", "Bamboo cutting board", 2500),
    Product("SKU-TENT-20", "Three-season tent", 19900),
)
BY_SKU: Dict[str, Product] = {product.sku: product for product in PRODUCTS}


def product(sku: str) -> Optional[Product]:
    return BY_SKU.get(sku)
